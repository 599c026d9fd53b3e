import createClient from 'openapi-fetch';
import type { paths } from './lendlab-api.js';

/**
 * A first client of LendLab's API, typed from its OpenAPI document with no casts: a borrower
 * deposits BTC, borrows USDC, sees a margin call when the admin drops the price, and repays.
 * `npm test` runs it (test/e2e/openapi.test.ts); run it yourself against the sandbox with
 * depositBorrowRepay('http://127.0.0.1:3000', adminKey).
 */
export async function depositBorrowRepay(baseUrl: string, adminKey: string): Promise<{ statusAfterDrop: string; outstandingAfterRepay: string }> {
  const admin = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${adminKey}` } });
  const created = await admin.POST('/v1/users', { body: { name: 'typed client', kycStatus: 'approved' } });
  if (!created.data) throw new Error(`could not create a user: ${created.error.code} ${created.error.message}`);
  const user = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${created.data.apiKey}` } });
  const account = { params: { path: { id: created.data.accounts[0].id } } };

  for (const [asset, price] of [['BTC', '50000'], ['USDC', '1']] as const) {
    const set = await admin.PUT('/v1/prices/{asset}', { params: { path: { asset }, query: { wait: 'true' } }, body: { price } });
    if (set.error) throw new Error(`could not set the ${asset} price: ${set.error.message}`);
  }
  const deposit = await user.POST('/v1/accounts/{id}/deposits', {
    ...account,
    params: { ...account.params, header: { 'Idempotency-Key': `deposit-${created.data.id}` } },
    body: { asset: 'BTC', amount: '1' },
  });
  if (deposit.error) throw new Error(`deposit refused: ${deposit.error.code} ${deposit.error.message}`);
  const borrowed = await user.POST('/v1/accounts/{id}/loans', { ...account, body: { asset: 'USDC', amount: '25000' } });
  if (borrowed.error) throw new Error(`borrow refused: ${borrowed.error.code} ${borrowed.error.message}`);

  // 25,000 against 1 BTC at 34,000: LTV 0.735, past BTC's margin-call level (0.714).
  const drop = await admin.PUT('/v1/prices/{asset}', { params: { path: { asset: 'BTC' }, query: { wait: 'true' } }, body: { price: '34000' } });
  if (drop.error) throw new Error(`could not drop the price: ${drop.error.message}`);
  const afterDrop = await user.GET('/v1/accounts/{id}', account);
  if (afterDrop.error) throw new Error(`could not read the account: ${afterDrop.error.message}`);

  const repaid = await user.POST('/v1/loans/{id}/repayments', { params: { path: { id: borrowed.data.loan.id } }, body: { amount: 'all' } });
  if (repaid.error) throw new Error(`repayment refused: ${repaid.error.code} ${repaid.error.message}`);
  return { statusAfterDrop: afterDrop.data.status, outstandingAfterRepay: repaid.data.loan.outstanding };
}
