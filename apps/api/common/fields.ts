/**
 * Validation of the fields many requests share, so each has one set of rules and one Russian wording. Swagger
 * decorators stay beside each field: their descriptions and examples are the request's own.
 */
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { LIMITS } from '../../../libs/contracts/deadline-task';

export const REQUIRED = 'обязательное поле';

/** Surrounding spaces are not part of what an official typed. */
export const trimmed = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** The basis of a decision or request: required text. */
export const RequiredReason = (): PropertyDecorator =>
  applyDecorators(
    Transform(trimmed),
    IsString({ message: REQUIRED }),
    MinLength(1, { message: REQUIRED }),
    MaxLength(LIMITS.reasonMax, { message: `не длиннее ${LIMITS.reasonMax} символов` }),
  );

/** A free comment: optional text. */
export const OptionalComment = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    Transform(trimmed),
    IsString({ message: 'ожидается текст' }),
    MaxLength(LIMITS.commentMax, { message: `не длиннее ${LIMITS.commentMax} символов` }),
  );
