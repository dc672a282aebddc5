import type { AddressObject, EmailAddress as MailparserAddress } from 'mailparser';
import type { EmailAddress } from './parsed-email.js';

function flatten(entries: readonly MailparserAddress[], out: EmailAddress[]): EmailAddress[] {
  for (const entry of entries) {
    if (entry.group) {
      flatten(entry.group, out);
    } else {
      out.push({ address: (entry.address ?? '').trim().toLowerCase(), name: (entry.name ?? '').trim() });
    }
  }
  return out;
}

/** All mailboxes of one or more address headers, groups replaced by their members. */
export function addressList(header: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!header) return [];
  const objects = Array.isArray(header) ? header : [header];
  const out: EmailAddress[] = [];
  for (const object of objects) flatten(object.value ?? [], out);
  return out;
}

/**
 * The first mailbox of a single-address header (From, Reply-To). A header that is present but
 * unusable gives an empty address rather than null, so "no From" and "bad From" stay distinguishable.
 */
export function firstAddress(header: AddressObject | undefined): EmailAddress | null {
  if (!header) return null;
  const first = addressList(header)[0];
  return first ?? { address: '', name: header.text?.trim() ?? '' };
}
