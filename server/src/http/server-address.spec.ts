import { describe, expect, it } from 'vitest';
import { browsableUrls, isUnspecifiedHost, urlHost, type MachineAddresses } from './server-address.js';

const machine: MachineAddresses = {
  hostname: 'scope-pc',
  interfaces: {
    lo: [
      { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
      {
        address: '::1',
        netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        family: 'IPv6',
        mac: '00:00:00:00:00:00',
        internal: true,
        cidr: '::1/128',
        scopeid: 0,
      },
    ],
    eth0: [
      { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:42:ac:11:00:02', internal: false, cidr: '192.168.1.20/24' },
      {
        address: 'fe80::42:acff:fe11:2',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '02:42:ac:11:00:02',
        internal: false,
        cidr: 'fe80::/64',
        scopeid: 2,
      },
      {
        address: '2001:db8::20',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '02:42:ac:11:00:02',
        internal: false,
        cidr: '2001:db8::/64',
        scopeid: 0,
      },
    ],
  },
};

describe('browsable server addresses', () => {
  it('replaces 0.0.0.0 and :: by 127.0.0.1 here and the machine name and addresses elsewhere', () => {
    expect(browsableUrls('0.0.0.0', 8765, false, machine)).toEqual({
      local: 'http://127.0.0.1:8765/',
      network: ['http://scope-pc:8765/', 'http://192.168.1.20:8765/'],
    });
    expect(browsableUrls('::', 8765, false, machine)).toEqual({
      local: 'http://127.0.0.1:8765/',
      network: ['http://scope-pc:8765/', 'http://192.168.1.20:8765/', 'http://[2001:db8::20]:8765/'],
    });
  });

  it('keeps an address a browser can open', () => {
    expect(browsableUrls('127.0.0.1', 1, true, machine)).toEqual({ local: 'http://127.0.0.1:1/', network: [] });
    expect(browsableUrls('192.168.1.20', 2, false, machine)).toEqual({ local: 'http://192.168.1.20:2/', network: ['http://192.168.1.20:2/'] });
    expect(browsableUrls('::1', 3, true, machine).local).toBe('http://[::1]:3/');
    expect(urlHost('fe80::1%eth0')).toBe('[fe80::1%25eth0]');
    expect(['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0'].map(isUnspecifiedHost)).toEqual([true, true, true, true]);
    expect(['127.0.0.1', '::1', 'localhost', '10.0.0.1'].map(isUnspecifiedHost)).toEqual([false, false, false, false]);
  });
});
