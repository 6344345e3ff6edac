import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { isOpen, nextOpening, parseOpeningHours } from '../../src/handover/hours.js';

const SLACK = { SLACK_SIGNING_SECRET: 'secret-8f2c41ab', SLACK_BOT_TOKEN: 'xoxb-1-2-abc' };

describe('HANDOVER_* settings', () => {
  it('is off without HANDOVER_SLACK_CHANNEL, on with it and Slack, waiting 10 minutes by default', () => {
    expect(loadConfig({ ...SLACK }).handover).toBeUndefined();
    const config = loadConfig({ ...SLACK, HANDOVER_SLACK_CHANNEL: 'C0COMMERCE' });
    expect(config.handover).toEqual({ slackChannel: 'C0COMMERCE', waitMinutes: 10 });
  });

  it('reads the hours and the wait', () => {
    const config = loadConfig({
      ...SLACK,
      HANDOVER_SLACK_CHANNEL: 'C0COMMERCE',
      HANDOVER_HOURS: 'lun-ven 09:00-12:00,14:00-18:00; sam 09:00-12:00',
      HANDOVER_WAIT_MINUTES: '25',
    });
    expect(config.handover?.waitMinutes).toBe(25);
    expect(config.handover?.hours?.windows).toHaveLength(11);
  });

  it.each([
    [{ HANDOVER_SLACK_CHANNEL: 'C0COMMERCE' }, /HANDOVER_SLACK_CHANNEL needs Slack/],
    [
      { ...SLACK, HANDOVER_SLACK_CHANNEL: '#commerce' },
      /HANDOVER_SLACK_CHANNEL must be a Slack channel ID/,
    ],
    [{ ...SLACK, HANDOVER_HOURS: 'lundi 9h-18h' }, /HANDOVER_HOURS must look like/],
    [{ ...SLACK, HANDOVER_HOURS: 'lun-ven 18:00-09:00' }, /ends before it starts/],
    [{ ...SLACK, HANDOVER_WAIT_MINUTES: '0' }, /HANDOVER_WAIT_MINUTES must be a whole number/],
  ])('names a bad value: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('opening hours, Europe/Paris', () => {
  const hours = parseOpeningHours('lun-ven 09:00-12:00,14:00-18:00; sam 09:00-12:00');

  it('is open in a window and closed outside, in Paris time whatever the server zone', () => {
    // Friday 5 June 2026, 10:00 in Paris = 08:00 UTC (summer time).
    expect(isOpen(hours, new Date('2026-06-05T08:00:00Z'))).toBe(true);
    expect(nextOpening(hours, new Date('2026-06-05T08:00:00Z'))).toBeUndefined();
    // 12:30 in Paris: back at 14 h the same day.
    expect(isOpen(hours, new Date('2026-06-05T10:30:00Z'))).toBe(false);
    expect(nextOpening(hours, new Date('2026-06-05T10:30:00Z'))).toBe('aujourd’hui à 14 h');
    // Friday 19:00: Saturday at 9.
    expect(nextOpening(hours, new Date('2026-06-05T17:00:00Z'))).toBe('demain à 9 h');
    // Saturday 13:00 in winter (UTC+1): Monday.
    expect(nextOpening(hours, new Date('2026-12-05T12:00:00Z'))).toBe('lundi à 9 h');
  });
});
