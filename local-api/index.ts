// Public surface of the local GitHub REST API used by integration tests, the demo and
// the benchmark. Import from here only.

export { startLocalApi } from './server.js'
export { seedRealisticDay, seedDeliveries, seedFleet } from './scenario.js'
export { Timeline } from './schedule.js'
export { redeliveryCounts } from './util.js'
export type { Measured, TimelineOptions } from './schedule.js'
export type { RealisticDay, RealisticDayOptions, BulkOptions, Fleet, FleetHook, FleetOptions } from './scenario.js'
export { JWT_MESSAGES } from './auth.js'
export { SECONDARY_MESSAGE } from './limits.js'
export { FIRST_DELIVERY_ID } from './model.js'
export type {
  AppInfo,
  AuthKind,
  DeliveryInput,
  DeliveryRecord,
  HookRef,
  OrgHookRef,
  RepoHookRef,
  InstallationPermissions,
  InstallationTarget,
  LocalApi,
  LocalApiOptions,
  LocalApiStats,
  OutageOptions,
  Permission,
  PingRequest,
  ReceiverAnswer,
  ReceiverModel,
  RedeliveryRequest,
  RepositoryInfo,
  RepositoryOptions,
  RequestLogEntry,
  TokenGrant,
  TokenKind
} from './types.js'
