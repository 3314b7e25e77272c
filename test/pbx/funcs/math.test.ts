// MATH and RAND.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MATH } from '../../../src/pbx/funcs/math.js';
import { RAND } from '../../../src/pbx/funcs/rand.js';
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
