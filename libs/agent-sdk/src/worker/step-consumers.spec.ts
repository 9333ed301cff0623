import { shareSlots } from './step-consumers';

describe('shareSlots', () => {
  it('shares slots as evenly as can be, the first parts taking the remainder', () => {
    expect(shareSlots(20, 1)).toEqual([20]);
    expect(shareSlots(20, 4)).toEqual([5, 5, 5, 5]);
    expect(shareSlots(10, 4)).toEqual([3, 3, 2, 2]);
  });

  it('gives every part a slot even when there are fewer slots than parts: no partition goes unserved', () => {
    expect(shareSlots(2, 4)).toEqual([1, 1, 1, 1]);
  });
});
