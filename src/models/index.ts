export { exportModel, exportSchema, EXPORT_PURGE_DELAY_MS, type ExportDocument, type ExportModel } from './export.js';
export { leaseModel, leaseSchema, type LeaseDocument, type LeaseModel } from './lease.js';
export { photoModel, photoSchema, type PhotoDocument, type PhotoModel } from './photo.js';
export { counterModel, counterSchema, type CounterDocument, type CounterModel } from './counter.js';
