/**
 * True for a licence a workspace may declare (`license` in bioimageit.config.json): an SPDX
 * licence identifier or expression-free id such as `CC-BY-4.0`, `MIT`, `LicenseRef-lab`, or an
 * absolute http(s) URL of a licence text.
 */
export function isLicenseValue(value: string): boolean {
  if (/^https?:\/\/\S+$/i.test(value)) return true;
  return /^[A-Za-z0-9][A-Za-z0-9.+-]*$/.test(value);
}
