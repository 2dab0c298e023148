// Where back-channel logout may connect. oidc-provider refuses outgoing requests to loopback,
// private and other special-use addresses (an SSRF guard: a client's URI must not reach the
// provider's own network). Back-channel logout URIs are registered by the operator, and apps often
// live in the operator's network, so the operator may let them through: BACKCHANNEL_ALLOWED_HOSTS
// names the hosts allowed to be special-use (any host outside production). Every other host is
// checked where it matters, on the addresses the name resolves to when the request connects, so a
// name that resolves to a public address at registration and a private one later is still refused.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type AllowedHosts = 'any' | readonly string[];

// RFC 6890 special-use ranges (and their IPv6 counterparts), as oidc-provider's guard knows them.
const SPECIAL_USE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  SPECIAL_USE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  SPECIAL_USE.addSubnet(net, prefix, 'ipv6');
}

export function isSpecialUseAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return SPECIAL_USE.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return SPECIAL_USE.check(mapped[1]!, 'ipv4');
  return SPECIAL_USE.check(address, 'ipv6');
}

/** The URL's host as it is compared with BACKCHANNEL_ALLOWED_HOSTS: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function mayReachSpecialUse(allowed: AllowedHosts, host: string): boolean {
  return allowed === 'any' || allowed.includes(host);
}

export class RefusedAddress extends Error {}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that drops special-use addresses and fails when none is left. */
export function publicOnlyLookup(hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const usable = addresses.filter((a) => !isSpecialUseAddress(a.address));
    if (!usable.length) {
      return callback(new RefusedAddress(`${hostname} resolves to a special-use address (allow it with BACKCHANNEL_ALLOWED_HOSTS)`), []);
    }
    if ((options as LookupAllOptions).all) return callback(null, usable);
    return callback(null, usable[0]!.address, usable[0]!.family);
  });
}
