import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** What {@link browsableUrls} knows of the machine (the real one by default; tests give their own). */
export interface MachineAddresses {
  readonly hostname: string;
  readonly interfaces: Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>;
}

/** This machine's name and network interfaces. */
export function thisMachine(): MachineAddresses {
  return { hostname: hostname(), interfaces: networkInterfaces() };
}

/** True for the addresses that mean "every interface" (`0.0.0.0`, `::`): no browser can open them. */
export function isUnspecifiedHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === '0.0.0.0' || /^(0{0,4}:){2,7}0{0,4}$/.test(bare) || bare === '::';
}

/** A host as it goes in a URL: IPv6 addresses in brackets (a zone's `%` escaped). */
export function urlHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare.includes(':') ? `[${bare.replace(/%/g, '%25')}]` : bare;
}

/**
 * The URLs (`http://HOST:PORT/`) a browser opens for a server bound to `host`: `local`, on this
 * machine, and `network`, from other machines. Bound to one address, both are that address (none
 * for others when it is a loopback one). Bound to every interface (`0.0.0.0`, `::`), `local` is
 * `127.0.0.1` and `network` the machine's name then each of its external addresses (IPv4; IPv6
 * too when bound to `::`, link-local ones left out: they need a zone a browser does not take).
 */
export function browsableUrls(host: string, port: number, loopback: boolean, machine: MachineAddresses = thisMachine()): { local: string; network: string[] } {
  const url = (h: string) => `http://${urlHost(h)}:${port}/`;
  if (!isUnspecifiedHost(host)) return { local: url(host), network: loopback ? [] : [url(host)] };
  const ipv6 = host.includes(':');
  const external = Object.values(machine.interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal && (i.family === 'IPv4' || (ipv6 && i.family === 'IPv6' && !/^fe80:/i.test(i.address))))
    .map((i) => i.address);
  const names = [machine.hostname, ...external].filter((h) => h !== '' && h !== 'localhost');
  return { local: url('127.0.0.1'), network: [...new Set(names)].map(url) };
}
