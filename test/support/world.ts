import { expect } from '@jest/globals';
import { createUser, TestApp } from './test-app.js';
import { Decimal, dec } from '../../src/common/money/decimal.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

/** A ledger account's cached balance (debits positive), 0 for one no posting has touched yet. */
export async function ledgerBalance(app: TestApp, code: string, asset: string): Promise<Decimal> {
  const row = await app.get(PrismaService).ledgerAccount.findUnique({ where: { code_asset: { code, asset } } });
  return dec(row?.balance.toString() ?? '0');
}

/** Small helpers that drive the API as a client would, for the money stories in the tests. */
export function world(app: TestApp) {
  return {
    user: (name: string, kyc: 'approved' | 'pending' = 'approved') => createUser(app, name, kyc),
    price: (asset: string, price: string) => app.admin.put(`/v1/prices/${asset}`).send({ price }).expect(200),
    advance: (body: { days?: number; hours?: number }) => app.admin.post('/v1/clock/advance').send(body).expect(200),
    deposit: async (key: string, accountId: string, asset: string, amount: string) =>
      (await app.api(key).post(`/v1/accounts/${accountId}/deposits`).send({ asset, amount }).expect(201)).body.position,
    borrow: async (key: string, accountId: string, asset: string, amount: string) =>
      (await app.api(key).post(`/v1/accounts/${accountId}/loans`).send({ asset, amount }).expect(201)).body.loan,
    account: async (key: string, accountId: string) => (await app.api(key).get(`/v1/accounts/${accountId}`).expect(200)).body,
    history: async (asset: string) => (await app.admin.get(`/v1/markets/${asset}/history`).expect(200)).body,
    market: async (asset: string) => (await app.admin.get(`/v1/markets/${asset}`).expect(200)).body,
    /** BTC at 50,000 and USDC at 1, and a lender who supplied `usdc` USDC to borrow from. */
    lendingMarket: async (usdc: string) => {
      await app.admin.put('/v1/prices/BTC').send({ price: '50000' }).expect(200);
      await app.admin.put('/v1/prices/USDC').send({ price: '1' }).expect(200);
      const lender = await createUser(app, 'lender');
      await app.api(lender.apiKey).post(`/v1/accounts/${lender.accountId}/deposits`).send({ asset: 'USDC', amount: usdc }).expect(201);
      return lender;
    },
    /** In a lending market of 10,000 USDC: a user with `btc` BTC deposited and a loan of `usdc` USDC against it. */
    borrowerWithLoan: async (name: string, btc: string, usdc: string) => {
      await world(app).lendingMarket('10000');
      const borrower = await createUser(app, name);
      await app.api(borrower.apiKey).post(`/v1/accounts/${borrower.accountId}/deposits`).send({ asset: 'BTC', amount: btc }).expect(201);
      const loan = await app.api(borrower.apiKey).post(`/v1/accounts/${borrower.accountId}/loans`).send({ asset: 'USDC', amount: usdc }).expect(201);
      return { ...borrower, loanId: loan.body.loan.id as string };
    },
    assertBalanced: async () => {
      const check = (await app.admin.get('/v1/ledger/check').expect(200)).body;
      expect(check.mismatches).toEqual([]);
      expect(check.balanced).toBe(true);
      return check;
    },
  };
}
