import type { RoCrateEntity } from './ro-crate-types.js';

/** Where SPDX publishes its licences; `<base><id>` names one licence. */
export const SPDX_LICENSES = 'https://spdx.org/licenses/';

/** Full names of the licences data and tools are most often published under, by SPDX id. */
const SPDX_NAMES: Readonly<Record<string, string>> = {
  'CC-BY-4.0': 'Creative Commons Attribution 4.0 International',
  'CC-BY-SA-4.0': 'Creative Commons Attribution Share Alike 4.0 International',
  'CC-BY-NC-4.0': 'Creative Commons Attribution Non Commercial 4.0 International',
  'CC-BY-NC-SA-4.0': 'Creative Commons Attribution Non Commercial Share Alike 4.0 International',
  'CC-BY-ND-4.0': 'Creative Commons Attribution No Derivatives 4.0 International',
  'CC0-1.0': 'Creative Commons Zero v1.0 Universal',
  'ODbL-1.0': 'Open Data Commons Open Database License v1.0',
  'PDDL-1.0': 'Open Data Commons Public Domain Dedication & License 1.0',
  MIT: 'MIT License',
  'Apache-2.0': 'Apache License 2.0',
  'BSD-2-Clause': 'BSD 2-Clause "Simplified" License',
  'BSD-3-Clause': 'BSD 3-Clause "New" or "Revised" License',
  'GPL-2.0-only': 'GNU General Public License v2.0 only',
  'GPL-2.0-or-later': 'GNU General Public License v2.0 or later',
  'GPL-3.0-only': 'GNU General Public License v3.0 only',
  'GPL-3.0-or-later': 'GNU General Public License v3.0 or later',
  'LGPL-3.0-or-later': 'GNU Lesser General Public License v3.0 or later',
  'MPL-2.0': 'Mozilla Public License 2.0',
};

/**
 * The contextual entity of a licence (RO-Crate 1.1 wants the root's `license` to link to one,
 * a CreativeWork with a name and description): an SPDX id becomes
 * `https://spdx.org/licenses/<id>` named after the licence (`identifier` keeps the id); a URL
 * stays as given, named by itself.
 */
export function licenseEntity(license: string): RoCrateEntity {
  const value = license.trim();
  if (/^https?:\/\//i.test(value)) {
    return { '@id': value, '@type': 'CreativeWork', name: value, description: `The licence published at ${value}.` };
  }
  const name = SPDX_NAMES[value] ?? value;
  return {
    '@id': `${SPDX_LICENSES}${value}`,
    '@type': 'CreativeWork',
    name,
    identifier: value,
    description: `${name} (SPDX licence ${value}).`,
  };
}
