/**
 * The outbound rules (issue 19, domain/outbound_url.ts): which URLs may be registered for a
 * request of Tessera's own, and which addresses a request may reach.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressKind, addressAllowed, outboundUrlProblem } from '../../src/domain/outbound_url.ts';

const strict = { allowPrivate: false };
const lax = { allowPrivate: true };

describe('outbound URL rules', () => {
  it('accepts https anywhere and http only on loopback', () => {
    assert.equal(outboundUrlProblem('https://rp.example.com/backchannel', strict), undefined);
    assert.equal(outboundUrlProblem('http://127.0.0.1:8080/bc', strict), undefined);
    assert.equal(outboundUrlProblem('http://[::1]:8080/bc', strict), undefined);
    assert.equal(outboundUrlProblem('http://localhost:8080/bc', strict), undefined);
    assert.match(outboundUrlProblem('http://rp.example.com/bc', strict)!, /https/);
    assert.match(outboundUrlProblem('ftp://rp.example.com/bc', strict)!, /https/);
    assert.match(outboundUrlProblem('not a url', strict)!, /absolute/);
  });

  it('refuses credentials and fragments (Back-Channel Logout §2.2)', () => {
    assert.match(outboundUrlProblem('https://user:pw@rp.example.com/bc', strict)!, /credentials/);
    assert.match(outboundUrlProblem('https://rp.example.com/bc#x', strict)!, /fragment/);
    // The portal's limit for any URL an app registers, here for every entry point (CLI, portal, DCR).
    assert.equal(outboundUrlProblem(`https://rp.example.com/${'a'.repeat(2000 - 'https://rp.example.com/'.length)}`, strict), undefined);
    assert.match(outboundUrlProblem(`https://rp.example.com/${'a'.repeat(2001 - 'https://rp.example.com/'.length)}`, strict)!, /too long/);
    assert.match(outboundUrlProblem('https://rp.example.com/bc#', strict)!, /fragment/);
  });

  it('refuses a literal private address unless the operator allows them', () => {
    for (const url of ['https://10.0.0.1/bc', 'https://192.168.1.1/bc', 'https://172.16.0.1/', 'https://169.254.169.254/latest', 'https://100.64.0.1/', 'https://[fd00::1]/', 'https://[fe80::1]/', 'https://[::ffff:10.0.0.1]/']) {
      assert.match(outboundUrlProblem(url, strict)!, /private/, url);
      assert.equal(outboundUrlProblem(url, lax), undefined, url);
    }
    for (const url of ['https://0.0.0.0/', 'https://[::]/', 'https://224.0.0.1/', 'https://[ff02::1]/', 'https://255.255.255.255/']) {
      assert.match(outboundUrlProblem(url, lax)!, /unspecified|multicast|reserved/, url);
    }
  });

  it('classifies IPv4 and IPv6 addresses, mapped and embedded ones by their IPv4 address', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.5.6.7', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['8.8.8.8', 'public'],
      ['2606:4700::1111', 'public'],
      ['10.1.2.3', 'private'],
      ['172.31.255.255', 'private'],
      ['172.32.0.1', 'public'],
      ['192.168.0.1', 'private'],
      ['100.64.0.1', 'private'],
      ['100.128.0.1', 'public'],
      ['169.254.169.254', 'private'],
      ['::ffff:169.254.169.254', 'private'],
      ['::ffff:a9fe:a9fe', 'private'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['2002:0a00:0001::1', 'private'],
      ['fc00::1', 'private'],
      ['fdff:ffff::1', 'private'],
      ['fe80::1%eth0', 'private'],
      ['0.0.0.0', 'refused'],
      ['::', 'refused'],
      ['239.1.1.1', 'refused'],
      ['ff05::2', 'refused'],
      ['not an address', 'refused'],
    ];
    for (const [address, kind] of cases) assert.equal(addressKind(address), kind, address);
    assert.equal(addressAllowed('10.0.0.1', strict), false);
    assert.equal(addressAllowed('10.0.0.1', lax), true);
    assert.equal(addressAllowed('127.0.0.1', strict), true);
    assert.equal(addressAllowed('0.0.0.0', lax), false);
  });
});
