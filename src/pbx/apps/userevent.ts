/**
 * UserEvent(eventname[,body]): publish a user event on the bus (AMI shows it as `UserEvent`).
 * Body items are `Key: Value`, separated by commas (standard argument splitting).
 */
import type { AppResult, DialplanApplication } from '../types.js';
import { splitStandard } from './split.js';

const CONTINUE: AppResult = { kind: 'continue' };

export const userEventApp: DialplanApplication = {
  name: 'UserEvent',
  synopsis: 'Send a custom event to event listeners (AMI)',
  syntax: 'UserEvent(eventname[,key1: value1[,key2: value2[,...]]])',
  description: 'Publishes an event called eventname with the given fields for management clients and other listeners.',
  exec(call) {
    const args = splitStandard(call.data, 129);
    const name = args[0] ?? '';
    if (name === '') {
      call.services.log.warn('UserEvent requires an argument (eventname,optional event body)');
      return { kind: 'hangup' };
    }
    const fields: Record<string, string> = {};
    for (const item of args.slice(1)) {
      const c = item.indexOf(':');
      if (c < 0) fields[item.trim()] = '';
      else fields[item.slice(0, c).trim()] = item.slice(c + 1).trim();
    }
    call.services.bus.emit('UserEvent', { channel: call.channel.name, name, fields });
    return CONTINUE;
  },
};
