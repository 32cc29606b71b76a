/**
 * Validation of the fields many requests share, so each has one set of rules and one Russian wording. Swagger
 * decorators stay beside each field: their descriptions and examples are the request's own.
 */
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { LIMITS } from '../../../libs/contracts/deadline-task';
import { countOf, NOUNS } from '../../../libs/domain/russian';

export const REQUIRED = 'обязательное поле';

/** «не длиннее 300 символов», «не длиннее 21 символа». */
export const notLongerThan = (max: number): string => `не длиннее ${countOf(max, NOUNS.characterGenitive)}`;

/** Surrounding spaces are not part of what an official typed. */
export const trimmed = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** The basis of a decision or request: required text. */
export const RequiredReason = (): PropertyDecorator =>
  applyDecorators(
    Transform(trimmed),
    IsString({ message: REQUIRED }),
    MinLength(1, { message: REQUIRED }),
    MaxLength(LIMITS.reasonMax, { message: notLongerThan(LIMITS.reasonMax) }),
  );

/** A free comment: optional text. */
export const OptionalComment = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    Transform(trimmed),
    IsString({ message: 'ожидается текст' }),
    MaxLength(LIMITS.commentMax, { message: notLongerThan(LIMITS.commentMax) }),
  );
