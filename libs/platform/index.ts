export { APP_CONFIG, InjectConfig, PlatformModule } from './platform.module';
