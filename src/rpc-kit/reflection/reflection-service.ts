import type { DescFile } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import {
  ServerReflection as ServerReflectionV1,
  file_grpc_reflection_v1_reflection,
} from '../../gen/grpc/reflection/v1/reflection_pb.js';
import {
  ServerReflection as ServerReflectionV1alpha,
  file_grpc_reflection_v1alpha_reflection,
} from '../../gen/grpc/reflection/v1alpha/reflection_pb.js';
import { createReflectionIndex } from './reflection-index.js';
import type { ReflectionAnswer, ReflectionIndex, ReflectionQuery } from './reflection-index.js';

/** The fields both reflection versions' requests carry; each version's generated type satisfies it. */
interface ReflectionRequest {
  host: string;
  messageRequest: ReflectionQuery;
}

/**
 * Registers grpc.reflection.v1 and v1alpha ServerReflection on the router, describing files, their
 * imports and the reflection services themselves; list_services names the services of files.
 */
export function registerReflectionServices(router: ConnectRouter, files: readonly DescFile[]): void {
  const index = createReflectionIndex([
    ...files,
    file_grpc_reflection_v1_reflection,
    file_grpc_reflection_v1alpha_reflection,
  ]);
  // grpcurl and older clients still speak v1alpha; one generic handler serves both versions.
  router.service(ServerReflectionV1, { serverReflectionInfo: createReflectionHandler(index) });
  router.service(ServerReflectionV1alpha, { serverReflectionInfo: createReflectionHandler(index) });
}

function createReflectionHandler(index: ReflectionIndex) {
  return async function* serverReflectionInfo<Request extends ReflectionRequest>(
    requests: AsyncIterable<Request>,
  ): AsyncGenerator<{ validHost: string; originalRequest: Request; messageResponse: ReflectionAnswer }> {
    // Per stream, like grpc-go: a dependency sent once is not sent again on the same stream.
    const sentFiles = new Set<string>();
    for await (const request of requests) {
      yield {
        validHost: request.host,
        originalRequest: request,
        messageResponse: index.answer(request.messageRequest, sentFiles),
      };
    }
  };
}
