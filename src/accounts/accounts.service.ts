import { Injectable } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { Caller } from '../common/auth/caller.js';
import { notFound, validationFailed } from '../common/errors/domain-error.js';
import { kycRequired } from '../common/errors/catalogue.js';
import { isUuid } from '../common/http/uuid.js';

export interface OwnedAccount {
  id: string;
  label: string;
  userId: string;
  kycStatus: string;
}


@Injectable()
export class AccountsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
  ) {}

  /**
   * The account, if the caller may see it. Another user's account answers exactly like one
   * that does not exist (404), so a key cannot be used to discover other users' accounts.
   */
  async findForCaller(caller: Caller, accountId: string, tx: Tx = this.prisma): Promise<OwnedAccount> {
    if (!isUuid(accountId)) throw notFound('Account');
    // One statement, the user joined (Prisma's relation select reads the user in a second one):
    // every request about an account starts here, a scenario's daily record twice a day.
    const [account] = await tx.$queryRaw<OwnedAccount[]>`
      SELECT a.id::text AS id, a.label, a.user_id::text AS "userId", u.kyc_status::text AS "kycStatus"
      FROM accounts a JOIN users u ON u.id = a.user_id WHERE a.id = ${accountId}::uuid`;
    if (!account || (caller.kind === 'user' && caller.userId !== account.userId)) throw notFound('Account');
    return { id: account.id, label: account.label, userId: account.userId, kycStatus: account.kycStatus };
  }

  /** Money can move only for a user whose KYC is approved. */
  static requireKyc(account: Pick<OwnedAccount, 'kycStatus'>): void {
    if (account.kycStatus !== 'approved') {
      throw kycRequired(account.kycStatus);
    }
  }

  async create(tx: Tx, caller: Caller, label: string, userIdForAdmin?: string): Promise<{ id: string; label: string }> {
    const userId = caller.kind === 'user' ? caller.userId : userIdForAdmin;
    if (!userId) throw validationFailed('userId is required when the admin opens an account', { fields: { userId: ['required for the admin key'] } });
    if (caller.kind === 'user' && userIdForAdmin && userIdForAdmin !== caller.userId) {
      throw validationFailed('A user key opens accounts only for its own user', { fields: { userId: ['must be omitted'] } });
    }
    if (!(await tx.user.findUnique({ where: { id: userId }, select: { id: true } }))) throw notFound('User');
    const account = await tx.account.create({
      data: { userId, label, isMain: false, createdAt: await this.clock.now(tx) },
      select: { id: true, label: true },
    });
    return account;
  }

  async listForCaller(caller: Caller): Promise<{ id: string; label: string; userId: string }[]> {
    return this.prisma.account.findMany({
      where: caller.kind === 'user' ? { userId: caller.userId } : {},
      select: { id: true, label: true, userId: true },
      orderBy: { seq: 'asc' },
      take: 1000,
    });
  }
}
