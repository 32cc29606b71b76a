// The standalone DataSource for the TypeORM CLI (`npm run migration:run`).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: the migration CLI needs the database to migrate');

export default new DataSource(dataSourceOptions(url));
