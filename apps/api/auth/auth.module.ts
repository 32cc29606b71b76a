import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import type { AppConfig } from '../../../libs/config';
import { APP_CONFIG } from '../../../libs/platform';
import { AccessPolicy } from './access-policy.service';
import { AuthController, SubstitutionsController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { RefusalLogInterceptor } from './refusal-log.interceptor';
import { SubstitutionsService } from './substitutions.service';

/**
 * Log-in, the global guard (every route needs a token unless @Public()), access rules and deputies. Needs the
 * PlatformModule (global) for the configuration, the database and the directory.
 */
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.auth.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: config.auth.jwtTtlSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, SubstitutionsController],
  providers: [
    AccessPolicy,
    AuthService,
    SubstitutionsService,
    { provide: APP_GUARD, useClass: AuthGuard },
    // Logs the refusals the guard and AccessPolicy.deny do not (404s and stray 403s of logged-in users).
    { provide: APP_INTERCEPTOR, useClass: RefusalLogInterceptor },
  ],
  exports: [AccessPolicy, AuthService],
})
export class AuthModule {}
