import { beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, resetConfigCache } from '#adapters/config';

const deliveryEnvironment = {
  TABLE_NAME: 'screener-table',
  SENDER_EMAIL: 'studies@example.org',
  SES_CONFIGURATION_SET: 'trial-screener',
  PUBLIC_APP_URL: 'https://screener.example.org',
};

describe('loadConfig', () => {
  beforeEach(() => resetConfigCache());

  it('applies the documented defaults', () => {
    const config = loadConfig('submit-screening', { TABLE_NAME: 'screener-table' });

    expect(config.SCREENING_TTL_DAYS).toBe(30);
    expect(config.ALLOWED_ORIGINS).toEqual([]);
  });

  it('splits ALLOWED_ORIGINS into a list of origins', () => {
    const config = loadConfig('list-screeners', {
      TABLE_NAME: 'screener-table',
      ALLOWED_ORIGINS: 'https://screener.example.org, http://localhost:3000',
    });

    expect(config.ALLOWED_ORIGINS).toEqual(['https://screener.example.org', 'http://localhost:3000']);
  });

  it('refuses an allowed origin with a path, naming the variable', () => {
    const load = () => loadConfig('list-screeners', { TABLE_NAME: 't', ALLOWED_ORIGINS: 'https://screener.example.org/app' });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/ALLOWED_ORIGINS is invalid/);
  });

  it('fails with the name of a missing variable', () => {
    expect(() => loadConfig('get-screener', {})).toThrow(/TABLE_NAME is missing/);
  });

  it('never repeats an invalid value in its error', () => {
    const load = () => loadConfig('deliver-leads', { ...deliveryEnvironment, SENDER_EMAIL: 'secret-not-an-email' });

    expect(load).toThrow(/SENDER_EMAIL is invalid/);
    expect(load).not.toThrow(/secret-not-an-email/);
  });

  it('reads CATALOG_CONTACTS_APPROVED as false unless it is exactly "true"', () => {
    const unset = loadConfig('deliver-leads', deliveryEnvironment);
    resetConfigCache();
    const approved = loadConfig('deliver-leads', { ...deliveryEnvironment, CATALOG_CONTACTS_APPROVED: 'true' });

    expect(unset.CATALOG_CONTACTS_APPROVED).toBe(false);
    expect(approved.CATALOG_CONTACTS_APPROVED).toBe(true);
  });

  it('treats an empty RECIPIENT_OVERRIDE as unset', () => {
    const config = loadConfig('deliver-leads', { ...deliveryEnvironment, RECIPIENT_OVERRIDE: '' });

    expect(config.RECIPIENT_OVERRIDE).toBeUndefined();
  });

  it('refuses to read a variable the manifest does not list for the function', () => {
    const config = loadConfig('list-screeners', { TABLE_NAME: 'screener-table', SENDER_EMAIL: 'studies@example.org' });

    expect(() => config.SENDER_EMAIL).toThrow(/not listed for this function/);
  });

  it('parses once and returns the cached configuration afterwards', () => {
    const first = loadConfig('get-screening', { TABLE_NAME: 'first' });
    const second = loadConfig('get-screening', { TABLE_NAME: 'second' });

    expect(second).toBe(first);
    expect(second.TABLE_NAME).toBe('first');
  });
});
