export * from './ru-production-calendar.data';
export * from './working-days';
