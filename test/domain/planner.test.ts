import t from 'tap';
import { planParts } from '../../src/domain/planner.js';
import type { PhotoSummary } from '../../src/store/types.js';

function photos(spec: Array<[day: string, count: number, bytes?: number]>): PhotoSummary[] {
  const list: PhotoSummary[] = [];
  for (const [day, count, bytes = 100] of spec) {
    for (let index = 0; index < count; index += 1) {
      list.push({ publicId: `p/${day}/${index}`, capturedAt: new Date(`${day}T${String(index % 24).padStart(2, '0')}:00:00Z`), bytes, format: 'jpg' });
    }
  }
  return list;
}

t.test('splits by file count in capture order', async (t) => {
  const parts = planParts(photos([['2025-01-01', 25]]), { maxFiles: 10, maxBytes: 1e9 }, 'UTC');
  t.strictSame(parts.map((part) => part.fileCount), [10, 10, 5]);
  t.strictSame(parts.map((part) => part.index), [1, 2, 3]);
  t.equal(parts[1]!.photoPublicIds[0], 'p/2025-01-01/10');
  t.equal(parts[2]!.bytes, 500);
});

t.test('prefers day boundaries when that costs no extra part', async (t) => {
  const parts = planParts(photos([['2025-01-01', 6], ['2025-01-02', 4]]), { maxFiles: 8, maxBytes: 1e9 }, 'UTC');
  t.strictSame(parts.map((part) => part.fileCount), [6, 4]);
  t.ok(parts[1]!.photoPublicIds.every((id) => id.startsWith('p/2025-01-02/')), 'part 2 is the whole second day');
});

t.test('fills parts when day packing would need more', async (t) => {
  const parts = planParts(photos([['2025-01-01', 6], ['2025-01-02', 6], ['2025-01-03', 6]]), { maxFiles: 10, maxBytes: 1e9 }, 'UTC');
  t.strictSame(parts.map((part) => part.fileCount), [10, 8]);
});

t.test('splits by bytes', async (t) => {
  const parts = planParts(photos([['2025-01-01', 5, 40]]), { maxFiles: 1000, maxBytes: 100 }, 'UTC');
  t.strictSame(parts.map((part) => part.fileCount), [2, 2, 1]);
  t.ok(parts.every((part) => part.bytes <= 100));
});

t.test('photo larger than the byte limit gets a part of its own', async (t) => {
  const list = photos([['2025-01-01', 3, 50]]);
  list[1]!.bytes = 500;
  const parts = planParts(list, { maxFiles: 1000, maxBytes: 100 }, 'UTC');
  t.strictSame(parts.map((part) => part.fileCount), [1, 1, 1]);
});

t.test('empty range has no parts', async (t) => {
  t.strictSame(planParts([], { maxFiles: 10, maxBytes: 100 }, 'UTC'), []);
});
