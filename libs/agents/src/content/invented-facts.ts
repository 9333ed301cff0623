import { SiteSpec } from '../site-spec.model';
import { SiteCopy } from './site-copy.model';

const PRICE = /[€$£]\s?\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?\s?(?:€|\$|£|EUR|USD|GBP)(?![\p{L}])/giu;

/**
 * The first fact the copy states that the request did not give: a testimonial, a price, an email
 * address or a phone number. A language model invents these readily, and on a real business's
 * site they mislead its visitors; the rules never write them.
 */
export function findInventedFact(copy: SiteCopy, spec: SiteSpec): string | null {
  const request = spec.request;
  for (const page of spec.pages) {
    for (const section of page.sections) {
      const written = copy.pages[page.slug]?.sections[section.id];
      if (!written) continue;
      if (section.kind === 'testimonials' && written.items.length > 0)
        return `section ${page.slug}#${section.id} quotes testimonials the request does not give; leave its items empty and say in toFillIn what to add`;
      const texts = [
        written.heading,
        ...written.paragraphs,
        ...written.items.flatMap((item) => [item.title, item.text, item.detail ?? '']),
      ];
      for (const text of texts) {
        for (const [price] of text.matchAll(PRICE)) {
          const amount = price.replace(/[^\d.,]/g, '');
          if (!request.includes(amount))
            return `section ${page.slug}#${section.id} states a price (${price}) the request does not give`;
        }
      }
    }
  }
  const { email, phone } = copy.contact;
  if (email && !request.includes(email)) return `contact.email ${email} is not in the request`;
  const digits = (text: string) => text.replace(/\D/g, '');
  if (phone && !digits(request).includes(digits(phone)))
    return `contact.phone ${phone} is not in the request`;
  return null;
}
