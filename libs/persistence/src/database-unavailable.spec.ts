import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['an unknown host', withCode('ENOTFOUND')],
    ['a connection that died', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    [
      'a server shutting down (57P01)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['a server starting (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a server out of connections (53300)', withCode('53300', 'sorry, too many clients already')],
    ['a connection exception (08006)', withCode('08006')],
    [
      'a query whose connection died',
      new QueryFailedError('SELECT 1', [], new Error('Connection terminated')),
    ],
    ['every address refused', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
  ])('says yes to %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a syntax error', withCode('42601', 'syntax error at or near "SELEC"')],
    ['a missing table', new QueryFailedError('SELECT 1', [], withCode('42P01'))],
    ['a bad value', withCode('22P02', 'invalid input syntax for type uuid')],
    ['a plain error', new Error('connection to 10.0.0.5:5432 refused')],
    ['a non-error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('says no to %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
