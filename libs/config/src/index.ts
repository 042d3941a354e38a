export { ConfigVariable, variable, parsers } from './config-schema';
export { loadConfig, describeConfig, ConfigError, LoadedConfig } from './load-config';
export { MANAGER_VARIABLES, ROLES, Role } from './manager-config';
import { LoadedConfig } from './load-config';
import { MANAGER_VARIABLES } from './manager-config';
export type ManagerConfig = LoadedConfig<typeof MANAGER_VARIABLES>;
