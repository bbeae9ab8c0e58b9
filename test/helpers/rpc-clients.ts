import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const execFileAsync = promisify(execFile);

/** Runs the repo's `buf curl` with args; async so an in-process server keeps answering meanwhile. */
export async function bufCurl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const buf = path.join(repoRoot, 'node_modules/.bin/buf');
  return execFileAsync(buf, ['curl', ...args], { cwd: repoRoot, timeout: 30_000 });
}

/** A grpc-js client constructor for a service in proto/ (loaded with proto-loader, as a non-TS caller would). */
export function loadGrpcJsService(protoFile: string, serviceName: string): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(protoFile, {
    includeDirs: [path.join(repoRoot, 'proto')],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition);
  let node: unknown = loaded;
  for (const part of serviceName.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

/** Calls a grpc-js unary method and resolves with its response. */
export function grpcJsUnary<T>(client: grpc.Client, method: string, request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, grpc.requestCallback<T> | undefined>)[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    (fn as unknown as (req: object, cb: grpc.requestCallback<T>) => void).call(
      client,
      request,
      (error, value) => (error ? reject(error) : resolve(value as T)),
    );
  });
}

/** A GET over HTTP/1.1 (fetch in Node 20 speaks only HTTP/1.1 too, but this pins it explicitly). */
export function http1Get(url: string): Promise<{ status: number; body: string; httpVersion: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, httpVersion: res.httpVersion }));
      })
      .on('error', reject);
  });
}
