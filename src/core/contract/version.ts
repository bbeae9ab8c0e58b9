/**
 * The version of this plugin contract (semver). A plugin states the range it was written for in
 * `contractVersion` (e.g. `'^1.0.0'`); the gateway refuses at boot a plugin whose range this
 * version does not satisfy. Minor versions add optional members; a major version breaks plugins.
 * 1.1.0: SendRequest locale/previewId/severity, SendResult fallbackUsed, and the optional provider
 * members update, recall, recallWindowMs, verifyCallback and answerCallback.
 */
export const CONTRACT_VERSION = '1.1.0';
