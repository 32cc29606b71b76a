/** Words and small rules of the ministry administrator's directory screens. */
import type { Schemas } from '../../api/client';

export type Organization = Schemas['OrganizationView'];
export type OrganizationDetail = Schemas['OrganizationDetailView'];
export type OrganizationKind = Organization['kind'];
export type Person = Schemas['PersonView'];
export type FoundPerson = Schemas['FoundPersonView'];
export type Role = NonNullable<Person['role']>;
export type LoginState = Person['login'];
export type Substitution = Schemas['SubstitutionView'];

export const LOGIN_STATES: Record<LoginState, { text: string; color: string }> = {
  active: { text: 'может входить', color: 'green' },
  withdrawn: { text: 'вход закрыт', color: 'red' },
  none: { text: 'только получает письма', color: 'default' },
};

export const SUBSTITUTION_STATES: Record<Substitution['state'], { text: string; color: string }> = {
  scheduled: { text: 'запланировано', color: 'blue' },
  active: { text: 'действует', color: 'green' },
  ended: { text: 'завершено', color: 'default' },
  revoked: { text: 'отменено', color: 'default' },
};

export const PERSON_FORMS = { one: 'сотрудник', few: 'сотрудника', many: 'сотрудников' };
export const ORGANIZATION_FORMS = { one: 'организация', few: 'организации', many: 'организаций' };

/**
 * The initial password's limits as the API checks them (CreatePersonDto and SetPasswordDto: 10–72 characters, at most
 * 72 bytes because bcrypt reads no more); checked here too so the form says so before sending.
 */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 72;
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_RULES =
  `От ${PASSWORD_MIN} до ${PASSWORD_MAX} символов; русская буква занимает два места из ${PASSWORD_MAX_BYTES}, ` +
  'поэтому пароль из одних русских букв — не длиннее 36 символов. Сообщите пароль сотруднику лично, не по почте.';

export function passwordBytes(password: string): number {
  return new TextEncoder().encode(password).length;
}

/** A password to hand over: 14 characters without look-alikes (0/O, 1/l/I), from the browser's secure generator. */
export function generatePassword(length = 14): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const random = new Uint32Array(length);
  crypto.getRandomValues(random);
  return Array.from(random, (n) => alphabet[n % alphabet.length]).join('');
}

/** The organisation's id as the API takes it (CreateOrganizationDto.id). */
export const ORGANIZATION_ID = /^[a-z0-9][a-z0-9-]{1,63}$/;
/** A school's code as the API takes it (CreateOrganizationDto.code): leading zeros kept. */
export const SCHOOL_CODE = /^[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё._/-]{0,31}$/;

const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

/**
 * A readable id for a new organisation, suggested from what the administrator typed: the region's code, then the
 * school's code or the name in Latin letters («demo-school-000104», «demo-upravlenie-obrazovaniya-zapadnogo»).
 */
export function suggestOrganizationId(regionCode: string, kind: OrganizationKind, name: string, code?: string): string {
  const slug = (text: string) =>
    [...text.toLowerCase()]
      .map((c) => TRANSLIT[c] ?? c)
      .join('')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const tail = kind === 'school' && code ? `school-${slug(code)}` : slug(name);
  return `${regionCode}-${tail}`.slice(0, 64).replace(/-+$/, '');
}

/** The zones of Russian regions, west to east, for a new organisation (named by format.ts's zoneLabel). */
export const RUSSIAN_ZONES = [
  'Europe/Kaliningrad',
  'Europe/Moscow',
  'Europe/Samara',
  'Asia/Yekaterinburg',
  'Asia/Omsk',
  'Asia/Novosibirsk',
  'Asia/Krasnoyarsk',
  'Asia/Irkutsk',
  'Asia/Yakutsk',
  'Asia/Vladivostok',
  'Asia/Magadan',
  'Asia/Kamchatka',
];
