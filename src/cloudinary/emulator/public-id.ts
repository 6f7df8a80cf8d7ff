import { randomInt } from 'node:crypto';
import { badRequest } from './errors.js';

const MAX_PUBLIC_ID_LENGTH = 255;
const FORBIDDEN_CHARACTERS = /[?&#\\%<>+]/;
/** Anything but letters of any language, digits, `.`, `-`, `_`, `/` and spaces is replaced by `_`. */
const REPLACED_CHARACTERS = /[^\p{L}\p{M}\p{N}._\-/ ]/gu;
const VERSION_LIKE_FOLDER = /^v\d+$/;

/**
 * Applies Cloudinary's public id rules: leading and trailing whitespace and slashes are trimmed,
 * `? & # \ % < > +` are rejected, other special characters become `_`, the id is 1-255
 * characters long and no folder is named `v` plus digits (it would read as a version).
 * NOTE: spaces inside an id are kept; whether the service replaces them is not documented.
 */
export function normalizePublicId(requested: string): string {
  const trimmed = requested.replace(/^[\s/]+|[\s/]+$/g, '');
  if (trimmed === '') throw badRequest(`Invalid public_id '${requested}' - it is empty once spaces and slashes are trimmed`);

  if (FORBIDDEN_CHARACTERS.test(trimmed)) {
    throw badRequest(`Invalid public_id ${trimmed} - it must not contain ? & # \\ % < > +`);
  }

  const publicId = trimmed.replace(REPLACED_CHARACTERS, '_');
  if ([...publicId].length > MAX_PUBLIC_ID_LENGTH) {
    throw badRequest(`Invalid public_id ${publicId} - it is longer than ${MAX_PUBLIC_ID_LENGTH} characters`);
  }

  const folders = publicId.split('/').slice(0, -1);
  if (folders.some((folder) => VERSION_LIKE_FOLDER.test(folder))) {
    throw badRequest(`Invalid public_id ${publicId} - a folder named v followed by digits is not allowed`);
  }

  return publicId;
}

/** 20 lower-case letters and digits, like Cloudinary's generated ids (`gotjephlnz2jgiu20zni`). */
export function randomPublicId(length = 20): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < length; i += 1) id += alphabet[randomInt(alphabet.length)];
  return id;
}
