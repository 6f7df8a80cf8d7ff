import { Schema, type Connection, type Model } from 'mongoose';

/** A named counter, such as the photo revision that changes with every photo insert or delete. */
export interface CounterDocument {
  _id: string;
  value: number;
}

export const counterSchema = new Schema<CounterDocument>(
  {
    _id: { type: String, required: true },
    value: { type: Number, required: true },
  },
  { collection: 'counters', versionKey: false, autoIndex: false, autoCreate: false },
);

export type CounterModel = Model<CounterDocument>;

/** Returns the counter model bound to `connection`, registering it on first use. */
export function counterModel(connection: Connection): CounterModel {
  const existing = connection.models['Counter'] as CounterModel | undefined;
  return existing ?? connection.model<CounterDocument>('Counter', counterSchema);
}
