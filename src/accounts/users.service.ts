import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { displayPrefix, generateApiKey, hashApiKey } from '../common/auth/api-key.js';
import { notFound } from '../common/errors/domain-error.js';
import type { KycStatusValue, UserView } from './accounts.dto.js';

const MAIN_ACCOUNT_LABEL = 'main';

@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
  ) {}

  /** A user comes with a main account and one API key, which is returned here and never again. */
  async create(name: string, kycStatus: KycStatusValue = 'pending', apiKey = generateApiKey()): Promise<UserView & { apiKey: string }> {
    const at = await this.clock.now();
    const user = await this.prisma.user.create({
      data: {
        name,
        kycStatus,
        createdAt: at,
        accounts: { create: { label: MAIN_ACCOUNT_LABEL, isMain: true, createdAt: at } },
        apiKeys: { create: { keyHash: hashApiKey(apiKey), prefix: displayPrefix(apiKey), createdAt: at } },
      },
      include: { accounts: { orderBy: { seq: 'asc' } } },
    });
    return { ...toView(user), apiKey };
  }

  async get(userId: string): Promise<UserView> {
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      include: { accounts: { orderBy: { seq: 'asc' } } },
    });
    if (!user) throw notFound('User');
    return toView(user);
  }

  async setKyc(userId: string, status: KycStatusValue): Promise<UserView> {
    const updated = await this.prisma.user.updateMany({ where: { id: userId }, data: { kycStatus: status } });
    if (updated.count === 0) throw notFound('User');
    return this.get(userId);
  }
}

function toView(user: { id: string; name: string; kycStatus: string; accounts: { id: string; label: string }[] }): UserView {
  return {
    id: user.id,
    name: user.name,
    kycStatus: user.kycStatus,
    accounts: user.accounts.map((a) => ({ id: a.id, label: a.label })),
  };
}
