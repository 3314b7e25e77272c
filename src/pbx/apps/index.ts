/** The built-in dialplan applications and their registry. Sim-only apps live in ../simulator/. */
import type { DialplanApplication } from '../types.js';
import { answerApp, hangupApp, noopApp, progressApp, ringingApp } from './basic.js';
import { busyApp, congestionApp } from './busy.js';
import { execIfApp } from './execif.js';
import { gosubApplications } from './gosub.js';
import { gotoApp, gotoIfApp, gotoIfTimeApp } from './goto.js';
import { macroApp, macroExitApp, macroIfApp } from './macro.js';
import { msetApp, setApp } from './set.js';
import { userEventApp } from './userevent.js';
import { logApp, verboseApp } from './verbose.js';
import { waitApp } from './wait.js';
import { continueWhileApp, endWhileApp, exitWhileApp, whileApp } from './while.js';

export { AppRegistry } from './registry.js';
export { gosubFunctions } from './gosub.js';

/**
 * Every application the server registers. System() is deliberately absent: herald does not run
 * shell commands from the dialplan (docs/dialplan-decisions.md).
 */
export function builtinApplications(): DialplanApplication[] {
  return [
    answerApp, hangupApp, noopApp, progressApp, ringingApp,
    verboseApp, logApp, setApp, msetApp,
    gotoApp, gotoIfApp, gotoIfTimeApp, execIfApp,
    ...gosubApplications(),
    macroApp, macroExitApp, macroIfApp,
    whileApp, endWhileApp, exitWhileApp, continueWhileApp,
    waitApp, busyApp, congestionApp, userEventApp,
  ];
}
