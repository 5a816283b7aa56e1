/** Base of an ORCID iD as a URI (what RO-Crate and schema.org want as a Person's `@id`). */
export const ORCID_BASE = 'https://orcid.org/';

const ORCID_FORM = /^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$/;

/**
 * The ORCID iD `value` names, as its 16-character form `0000-0002-1825-0097`, or undefined when
 * it is not one: the form four groups of four digits (the last may end in `X`), optionally as
 * `https://orcid.org/…` (or `http://`), whose check digit matches (ISO 7064 MOD 11-2, as ORCID
 * computes it). Callers (the config loader) turn undefined into an error naming the setting.
 */
export function parseOrcid(value: string): string | undefined {
  const bare = value.trim().replace(/^https?:\/\/orcid\.org\//i, '');
  const match = ORCID_FORM.exec(bare.toUpperCase());
  if (match === null) return undefined;
  const digits = match.slice(1).join('');
  let total = 0;
  for (const digit of digits.slice(0, 15)) total = (total + Number(digit)) * 2;
  const check = (12 - (total % 11)) % 11;
  const expected = check === 10 ? 'X' : String(check);
  return digits[15] === expected ? match.slice(1).join('-') : undefined;
}

/** `https://orcid.org/<id>` for an iD accepted by {@link parseOrcid}. */
export function orcidUrl(orcid: string): string {
  return `${ORCID_BASE}${orcid}`;
}
