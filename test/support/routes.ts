import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_KEY, Access } from '../../src/common/auth/auth.decorators.js';

export interface Route {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  /** As Nest declares it: `/v1/accounts/:id/deposits`. */
  path: string;
  /** `public` (no key), `admin` (admin key only) or `user` (any key). */
  access: Access | 'user';
  /** The query parameters its handler reads (`@Query('name')`). */
  query: string[];
  /** Whether its handler reads a body (`@Body()`). */
  body: boolean;
}

/**
 * Every route of the running application, read from Nest's own controller metadata (the
 * decorators' path, method and access marks), so a test's table cannot forget a new endpoint.
 */
export function routesOf(app: INestApplication): Route[] {
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) continue;
      const prefix = Reflect.getMetadata(PATH_METADATA, type) as string | string[];
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        if (name === 'constructor') continue;
        const handler = Object.getOwnPropertyDescriptor(type.prototype, name)?.value as object | undefined;
        if (typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (path === undefined) continue;
        if (Array.isArray(prefix) || Array.isArray(path)) throw new Error(`${type.name}.${name}: several paths; routesOf expects one`);
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod].toLowerCase() as Route['method'];
        const access = (Reflect.getMetadata(ACCESS_KEY, handler) ?? Reflect.getMetadata(ACCESS_KEY, type) ?? 'user') as Route['access'];
        const full = '/' + [prefix, path].flatMap((part) => part.split('/')).filter(Boolean).join('/');
        const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) ?? {}) as Record<string, { data?: unknown }>);
        const ofType = (paramType: RouteParamtypes) => args.filter(([key]) => key.split(':')[0] === String(paramType)).map(([, arg]) => arg);
        const query = ofType(RouteParamtypes.QUERY).map((arg) => String(arg.data)).sort();
        routes.push({ method, path: full, access, query, body: ofType(RouteParamtypes.BODY).length > 0 });
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/** `POST /v1/accounts/:id/deposits` */
export const routeName = (route: { method: string; path: string }) => `${route.method.toUpperCase()} ${route.path}`;
