/** Playback and Read as the simulator plays them: print what would be played; Read gets no digits. */
import { splitStandard } from '../apps/split.js';
import type { AppResult, DialplanApplication } from '../types.js';
import type { SimWorld } from './world.js';

export function simPlaybackApp(world: SimWorld): DialplanApplication {
  return {
    name: 'Playback',
    synopsis: 'Play sound files (simulated: printed only)',
    syntax: 'Playback(file1[&file2...][,options])',
    description: 'Simulator version of Playback: prints the files and sets PLAYBACKSTATUS=SUCCESS.',
    exec(call): AppResult {
      const [files = '', options = ''] = splitStandard(call.data, 2);
      if (!/noanswer/i.test(options)) call.channel.state = 'Up';
      world.say(`would play ${files.split('&').join(', ')}`);
      call.channel.setVar('PLAYBACKSTATUS', 'SUCCESS');
      return { kind: 'continue' };
    },
  };
}

export function simReadApp(world: SimWorld): DialplanApplication {
  return {
    name: 'Read',
    synopsis: 'Read digits into a variable (simulated: none are pressed)',
    syntax: 'Read(variable[,filenames[,maxdigits[,options[,attempts[,timeout]]]]])',
    description: 'Simulator version of Read: prints the prompt, sets the variable empty and READSTATUS=TIMEOUT.',
    exec(call): AppResult {
      const [variable = '', files = ''] = splitStandard(call.data, 6);
      world.say(`would play ${files ? files.split('&').join(', ') : '(nothing)'} and read digits into ${variable}`);
      if (variable !== '') call.channel.setVar(variable, '');
      call.channel.setVar('READSTATUS', 'TIMEOUT');
      return { kind: 'continue' };
    },
  };
}
