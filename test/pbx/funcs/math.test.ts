// MATH and RAND.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MATH } from '../../../src/pbx/funcs/math.js';
import { RAND } from '../../../src/pbx/funcs/rand.js';
import { ABS } from '../../../src/pbx/funcs/abs.js';
import { MAX } from '../../../src/pbx/funcs/max.js';
import { MIN } from '../../../src/pbx/funcs/min.js';
import { DEC } from '../../../src/pbx/funcs/dec.js';
import { INC } from '../../../src/pbx/funcs/inc.js';
import { ctx, read } from './fake-channel.js';

test('MATH operators and result types', () => {
  const c = ctx();
  assert.equal(read(MATH, '3*8', c), '24.000000');
  assert.equal(read(MATH, '3 * 8,i', c), '24');
  assert.equal(read(MATH, '10/4', c), '2.500000');
  assert.equal(read(MATH, '10/4,int', c), '2');
  assert.equal(read(MATH, '10/0', c), '0.000000');
  assert.equal(read(MATH, '10/-2', c), '0.000000');
  assert.equal(read(MATH, '-5-3,i', c), '-8');
  assert.equal(read(MATH, '7%3,i', c), '1');
  assert.equal(read(MATH, '2^10,i', c), '1024');
  assert.equal(read(MATH, '1<<4,i', c), '16');
  assert.equal(read(MATH, '256>>4,i', c), '16');
  assert.equal(read(MATH, '12AND10,i', c), '8');
  assert.equal(read(MATH, '12OR3,i', c), '15');
  assert.equal(read(MATH, '12XOR10,i', c), '6');
  assert.equal(read(MATH, '255+0,h', c), 'ff');
  assert.equal(read(MATH, '65+0,c', c), 'A');
  assert.equal(read(MATH, '3>2', c), 'TRUE');
  assert.equal(read(MATH, '3<=2', c), 'FALSE');
  assert.equal(read(MATH, '3==3', c), 'TRUE');
  assert.throws(() => read(MATH, '3', c), /Supply all the parameters/);
  assert.throws(() => read(MATH, 'a+1', c), /not a valid number/);
  assert.throws(() => read(MATH, '1+1,bogus', c), /Unknown type of result/);
  assert.throws(() => read(MATH, '', c), /missing argument/);
});

test('RAND stays within the (swapped) bounds', () => {
  const c = ctx();
  for (let i = 0; i < 200; i++) {
    const v = Number(read(RAND, '5,1', c));
    assert.ok(Number.isInteger(v) && v >= 1 && v <= 5, String(v));
  }
  assert.equal(read(RAND, '7,7', c), '7');
  const big = Number(read(RAND, '', c));
  assert.ok(big >= 0 && big <= 2147483647);
});

test('MATH with blanks around a word operator (Asterisk unit test)', () => {
  const c = ctx();
  assert.equal(read(MATH, '170 AND 63,i', c), '42');
  assert.equal(read(MATH, '170AND63,i', c), '42');
});

test('MIN, MAX, ABS, INC, DEC', () => {
  const c = ctx();
  assert.equal(read(MIN, '4,7', c), '4');
  assert.equal(read(MAX, '4,7', c), '7');
  assert.equal(read(MAX, '4.5,2', c), '4.500000');
  assert.equal(read(MIN, ',3', c), '3');
  assert.equal(read(MAX, '3,', c), '3');
  assert.equal(read(ABS, '-13', c), '13');
  assert.throws(() => read(MIN, ',', c), /Missing argument/);
  assert.throws(() => read(ABS, 'x', c), /Bad or missing argument/);
  c.channel?.setVar('n', '41');
  assert.equal(read(INC, 'n', c), '42');
  assert.equal(c.channel?.getVar('n'), '42');
  assert.equal(read(DEC, 'n', c), '41');
  c.channel?.setVar('s', '4x');
  assert.throws(() => read(INC, 's', c), /not a numeric value/);
  assert.throws(() => read(INC, 'missing', c), /Failed to obtain variable/);
});
