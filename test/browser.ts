/**
 * What the browser tests share: Debian's Chromium driven headless by playwright-core (never a
 * downloaded browser), its flags, and the axe-core source injected for the WCAG checks.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The Debian package's binary (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, no sandbox (containers), and nothing that reaches the network by itself. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** axe-core, as a script to evaluate in a page. */
export const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
