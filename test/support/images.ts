// Real image files for media tests, made with sharp: a JPEG that carries EXIF with GPS
// coordinates (what a phone writes), a PNG, and helpers to look for metadata in bytes.
import sharp from 'sharp';

/** A JPEG whose EXIF names a camera and a place (48°51'30"N 2°17'40"E). */
export async function jpegWithGps(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 210, g: 120, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Pocket GPS' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 40/1' },
    })
    .toBuffer();
}

export async function png(width = 320, height = 200, color = { r: 30, g: 90, b: 200 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } }).png().toBuffer();
}

/** Whether the bytes carry EXIF at all, and GPS tags in particular (per sharp, and as raw markers). */
export async function metadataOf(data: Buffer): Promise<{ exif: boolean; gps: boolean; width?: number; height?: number; format?: string }> {
  const m = await sharp(data).metadata();
  const raw = data.includes(Buffer.from('Exif\0\0'));
  return {
    exif: !!m.exif || raw,
    gps: (m.exif?.includes(Buffer.from('GPS')) ?? false) || data.includes(Buffer.from('Pocket GPS')),
    width: m.width, height: m.height, format: m.format,
  };
}
