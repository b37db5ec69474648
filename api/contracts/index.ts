export * from './auth';
export * from './common';
export * from './consoles';
export * from './enterprise';
export * from './exports';
export * from './images';
export * from './streams';
export * from './webhooks';
