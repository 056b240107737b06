// Pictures for the screenshot demo, drawn as SVG and rendered by sharp (librsvg): no image
// files in the repository, no downloads. Each is a small illustrated scene.
import sharp from 'sharp';

const W = 1200;
const H = 800;

function svg(body: string, width = W, height = H): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`);
}

const scenes = {
  /** Dawn over a canal: sky gradient, sun, water, a wagtail on a post. */
  canal: svg(`
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f7c59f"/><stop offset="0.6" stop-color="#f3e1c7"/><stop offset="1" stop-color="#cfe3e8"/></linearGradient>
    <linearGradient id="water" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fa9b8"/><stop offset="1" stop-color="#3f6b7d"/></linearGradient></defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <circle cx="880" cy="300" r="90" fill="#fbe3a1" opacity="0.9"/>
    <path d="M0 470 Q 200 420 420 460 T 820 450 T 1200 440 V 520 H 0 Z" fill="#8aa07a"/>
    <rect y="500" width="${W}" height="300" fill="url(#water)"/>
    <g stroke="#ffffff" stroke-opacity="0.35" stroke-width="4">${Array.from({ length: 9 }, (_, i) => `<line x1="${80 + i * 130}" y1="${560 + (i % 3) * 60}" x2="${160 + i * 130}" y2="${560 + (i % 3) * 60}"/>`).join('')}</g>
    <rect x="300" y="430" width="26" height="260" fill="#5b4636"/>
    <g transform="translate(313 430)"><ellipse cx="0" cy="-28" rx="46" ry="22" fill="#6f7a80"/><circle cx="38" cy="-46" r="17" fill="#6f7a80"/>
    <path d="M52 -46 l22 4 l-22 4 z" fill="#2b2b2b"/><path d="M-44 -30 l-70 -22 l6 14 z" fill="#3b4246"/><ellipse cx="6" cy="-18" rx="34" ry="12" fill="#f2d35b"/>
    <circle cx="42" cy="-50" r="3.5" fill="#111"/></g>`),
  /** Six tomatoes on a windowsill. */
  tomatoes: svg(`
    <rect width="${W}" height="${H}" fill="#e9e4d8"/><rect y="520" width="${W}" height="280" fill="#b98b5e"/>
    <rect x="120" y="60" width="960" height="420" fill="#cfe6f2" stroke="#ffffff" stroke-width="24"/>
    <line x1="600" y1="60" x2="600" y2="480" stroke="#ffffff" stroke-width="18"/>
    ${[[230, 470, 80], [390, 480, 70], [540, 470, 86], [700, 482, 66], [850, 472, 78], [990, 484, 60]].map(([x, y, r]) => `
      <circle cx="${x}" cy="${y}" r="${r}" fill="#d6402f"/><circle cx="${x! - r! * 0.35}" cy="${y! - r! * 0.35}" r="${r! * 0.22}" fill="#f08070" opacity="0.7"/>
      <path d="M${x} ${y! - r!} l-20 -12 m20 12 l18 -14 m-18 14 l0 -22" stroke="#3c7a35" stroke-width="9" stroke-linecap="round"/>`).join('')}`),
  /** A modular synthesizer: a rack of modules with knobs and patch cables. */
  synth: svg(`
    <rect width="${W}" height="${H}" fill="#23262d"/>
    ${Array.from({ length: 8 }, (_, i) => `<rect x="${70 + i * 135}" y="120" width="120" height="560" rx="6" fill="${['#3a3f4b', '#c9c2b4', '#2f6f73', '#3a3f4b', '#b5483b', '#c9c2b4', '#2f4f73', '#3a3f4b'][i]}"/>
      ${Array.from({ length: 4 }, (_, k) => `<circle cx="${130 + i * 135}" cy="${200 + k * 110}" r="${k % 2 ? 16 : 24}" fill="#111" stroke="#ddd" stroke-width="3"/>`).join('')}`).join('')}
    <path d="M190 640 C 300 780, 520 760, 610 520" stroke="#f2c94c" stroke-width="10" fill="none"/>
    <path d="M330 420 C 420 600, 760 640, 880 300" stroke="#eb5757" stroke-width="10" fill="none"/>
    <path d="M740 640 C 820 760, 1000 740, 1020 410" stroke="#56ccf2" stroke-width="10" fill="none"/>`),
  /** Sourdough on a board. */
  bread: svg(`
    <rect width="${W}" height="${H}" fill="#3d2e23"/><ellipse cx="600" cy="470" rx="470" ry="230" fill="#8a5a36"/>
    <ellipse cx="600" cy="420" rx="330" ry="200" fill="#c88b4a"/><ellipse cx="600" cy="400" rx="300" ry="170" fill="#dba35f"/>
    <path d="M420 330 Q 600 250 780 330 M450 420 Q 600 350 750 420" stroke="#f3d9a4" stroke-width="16" fill="none" stroke-linecap="round"/>`),
  /** A lighthouse at low tide (for a remote post). */
  lighthouse: svg(`
    <defs><linearGradient id="s2" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9cc3e4"/><stop offset="1" stop-color="#e6f0f5"/></linearGradient></defs>
    <rect width="${W}" height="${H}" fill="url(#s2)"/><rect y="560" width="${W}" height="240" fill="#d9c7a1"/>
    <path d="M0 560 Q 300 530 600 560 T 1200 550 V 600 H 0 Z" fill="#7aa6c2"/>
    <polygon points="560,180 640,180 670,560 530,560" fill="#f4f4f2"/><rect x="548" y="260" width="106" height="40" fill="#c0392b"/><rect x="538" y="400" width="126" height="40" fill="#c0392b"/>
    <rect x="570" y="130" width="60" height="50" fill="#2d3436"/><polygon points="560,130 600,95 640,130" fill="#c0392b"/>`),
  /** A cat (for a sensitive post: it is blurred in the screenshot). */
  cat: svg(`
    <rect width="${W}" height="${H}" fill="#f6d7b0"/><ellipse cx="600" cy="520" rx="260" ry="190" fill="#e59a4f"/>
    <circle cx="600" cy="330" r="150" fill="#e59a4f"/><polygon points="480,230 470,110 560,190" fill="#e59a4f"/><polygon points="720,230 730,110 640,190" fill="#e59a4f"/>
    <circle cx="545" cy="320" r="20" fill="#2d3436"/><circle cx="655" cy="320" r="20" fill="#2d3436"/><path d="M585 380 q15 14 30 0" stroke="#2d3436" stroke-width="6" fill="none"/>`),
};

export type Scene = keyof typeof scenes;

export function picture(scene: Scene, width = 900): Promise<Buffer> {
  return sharp(scenes[scene]).resize({ width }).jpeg({ quality: 82 }).toBuffer();
}

/** A round-ish avatar: a coloured square with an initial. */
export function avatar(initial: string, color: string): Promise<Buffer> {
  return sharp(svg(`<rect width="200" height="200" fill="${color}"/><text x="100" y="132" font-family="sans-serif" font-size="96" font-weight="700" fill="#fff" text-anchor="middle">${initial}</text>`, 200, 200)).png().toBuffer();
}

/** A custom emoji: a small round face. */
export function emoji(color: string): Promise<Buffer> {
  return sharp(svg(`<circle cx="32" cy="32" r="30" fill="${color}"/><circle cx="22" cy="26" r="5" fill="#222"/><circle cx="42" cy="26" r="5" fill="#222"/><path d="M18 40 q14 12 28 0" stroke="#222" stroke-width="4" fill="none"/>`, 64, 64)).png().toBuffer();
}
