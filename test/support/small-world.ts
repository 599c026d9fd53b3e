import type { TestApp } from './test-app.js';
import { world } from './world.js';

/** A small world built through the API, the same every time: six markets, a lender, two borrowers (one in a loyalty tier). */
export async function buildSmallWorld(app: TestApp): Promise<void> {
  const w = world(app);
  for (const [asset, price] of [['BTC', '50000'], ['ETH', '3000'], ['SOL', '150'], ['USDC', '1'], ['USDT', '1'], ['LAB', '2']]) {
    await w.price(asset, price);
  }
  const lender = await w.user('lender');
  for (const [asset, amount] of [['USDC', '1000000'], ['USDT', '500000'], ['BTC', '10'], ['SOL', '1000']]) {
    await w.deposit(lender.apiKey, lender.accountId, asset, amount);
  }
  const alice = await w.user('alice');
  await w.deposit(alice.apiKey, alice.accountId, 'BTC', '1');
  await w.borrow(alice.apiKey, alice.accountId, 'USDC', '20000');
  const bob = await w.user('bob');
  await w.deposit(bob.apiKey, bob.accountId, 'ETH', '20');
  await w.deposit(bob.apiKey, bob.accountId, 'LAB', '1000'); // 3% of his collateral: silver tier
  await w.borrow(bob.apiKey, bob.accountId, 'USDT', '15000');
  await w.borrow(bob.apiKey, bob.accountId, 'BTC', '0.2');
  await w.borrow(bob.apiKey, bob.accountId, 'SOL', '10');
}
