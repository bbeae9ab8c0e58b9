import { toBinary } from '@bufbuild/protobuf';
import type { DescFile } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { DescriptorProto, EnumDescriptorProto, FieldDescriptorProto } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';

/** The message_request oneof of grpc.reflection v1 and v1alpha, which share one shape. */
export type ReflectionQuery =
  | { case: 'fileByFilename'; value: string }
  | { case: 'fileContainingSymbol'; value: string }
  | { case: 'fileContainingExtension'; value: { containingType: string; extensionNumber: number } }
  | { case: 'allExtensionNumbersOfType'; value: string }
  | { case: 'listServices'; value: string }
  | { case: undefined; value?: undefined };

/** The message_response oneof of grpc.reflection v1 and v1alpha, as a plain init object either accepts. */
export type ReflectionAnswer =
  | { case: 'fileDescriptorResponse'; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: 'allExtensionNumbersResponse'; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: 'listServicesResponse'; value: { service: { name: string }[] } }
  | { case: 'errorResponse'; value: { errorCode: number; errorMessage: string } };

/** Answers reflection queries about a fixed set of files; one instance serves every stream. */
export interface ReflectionIndex {
  /**
   * Answers one query. sentFiles is the stream's memory of files already sent: dependencies in it are
   * not repeated (as grpc-go does), the requested file always is.
   */
  answer(query: ReflectionQuery, sentFiles: Set<string>): ReflectionAnswer;
}

/** Indexes files and everything they import (google/protobuf/timestamp.proto included); lists their services. */
export function createReflectionIndex(files: readonly DescFile[]): ReflectionIndex {
  const byFilename = new Map<string, DescFile>();
  const bySymbol = new Map<string, DescFile>();
  const byExtension = new Map<string, DescFile>();
  const extensionNumbers = new Map<string, number[]>();
  const services = new Set<string>();
  const messages = new Set<string>();

  const addExtension = (file: DescFile, scope: string, extension: FieldDescriptorProto): void => {
    bySymbol.set(scope + extension.name, file);
    // Extendees are fully qualified with a leading dot in descriptors; queries name them without it.
    const extendee = extension.extendee.replace(/^\./, '');
    byExtension.set(extensionKey(extendee, extension.number), file);
    extensionNumbers.set(extendee, [...(extensionNumbers.get(extendee) ?? []), extension.number]);
  };
  const addEnum = (file: DescFile, scope: string, desc: EnumDescriptorProto): void => {
    bySymbol.set(scope + desc.name, file);
    // Enum values live in the scope that encloses the enum, not inside it (C++ scoping rules).
    for (const value of desc.value) bySymbol.set(scope + value.name, file);
  };
  // Walks the descriptor protos rather than protobuf-es descriptors, which hide synthetic map entries.
  const addMessage = (file: DescFile, scope: string, message: DescriptorProto): void => {
    const typeName = scope + message.name;
    bySymbol.set(typeName, file);
    messages.add(typeName);
    for (const field of message.field) bySymbol.set(`${typeName}.${field.name}`, file);
    for (const oneof of message.oneofDecl) bySymbol.set(`${typeName}.${oneof.name}`, file);
    for (const nested of message.nestedType) addMessage(file, `${typeName}.`, nested);
    for (const nested of message.enumType) addEnum(file, `${typeName}.`, nested);
    for (const nested of message.extension) addExtension(file, `${typeName}.`, nested);
  };
  const addFile = (file: DescFile): void => {
    const proto = file.proto;
    if (byFilename.has(proto.name)) return;
    byFilename.set(proto.name, file);
    const scope = proto.package === '' ? '' : `${proto.package}.`;
    for (const message of proto.messageType) addMessage(file, scope, message);
    for (const desc of proto.enumType) addEnum(file, scope, desc);
    for (const extension of proto.extension) addExtension(file, scope, extension);
    for (const service of proto.service) {
      bySymbol.set(scope + service.name, file);
      for (const method of service.method) bySymbol.set(`${scope}${service.name}.${method.name}`, file);
    }
    for (const dependency of file.dependencies) addFile(dependency);
  };
  for (const file of files) {
    addFile(file);
    for (const service of file.services) services.add(service.typeName);
  }

  const encoded = new Map<string, Uint8Array>();
  const encode = (file: DescFile): Uint8Array => {
    let bytes = encoded.get(file.proto.name);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      encoded.set(file.proto.name, bytes);
    }
    return bytes;
  };
  const withDependencies = (
    file: DescFile | undefined,
    sentFiles: Set<string>,
    what: string,
  ): ReflectionAnswer => {
    if (file === undefined) return notFound(what);
    const fileDescriptorProto: Uint8Array[] = [];
    const queue = [file];
    const queued = new Set([file.proto.name]);
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (next === file || !sentFiles.has(next.proto.name)) {
        sentFiles.add(next.proto.name);
        fileDescriptorProto.push(encode(next));
      }
      for (const dependency of next.dependencies) {
        if (queued.has(dependency.proto.name)) continue;
        queued.add(dependency.proto.name);
        queue.push(dependency);
      }
    }
    return { case: 'fileDescriptorResponse', value: { fileDescriptorProto } };
  };

  return {
    answer(query, sentFiles) {
      switch (query.case) {
        case 'listServices':
          return {
            case: 'listServicesResponse',
            value: { service: [...services].map((name) => ({ name })) },
          };
        case 'fileByFilename':
          return withDependencies(byFilename.get(query.value), sentFiles, `file "${query.value}"`);
        case 'fileContainingSymbol':
          return withDependencies(bySymbol.get(query.value), sentFiles, `symbol "${query.value}"`);
        case 'fileContainingExtension': {
          const { containingType, extensionNumber } = query.value;
          const file = byExtension.get(extensionKey(containingType, extensionNumber));
          return withDependencies(file, sentFiles, `extension ${extensionNumber} of "${containingType}"`);
        }
        case 'allExtensionNumbersOfType': {
          if (!messages.has(query.value)) return notFound(`message type "${query.value}"`);
          const extensionNumber = extensionNumbers.get(query.value) ?? [];
          return {
            case: 'allExtensionNumbersResponse',
            value: { baseTypeName: query.value, extensionNumber },
          };
        }
        case undefined:
          return {
            case: 'errorResponse',
            value: { errorCode: Code.InvalidArgument, errorMessage: 'message_request is not set' },
          };
      }
    },
  };
}

function extensionKey(containingType: string, extensionNumber: number): string {
  return `${containingType}#${extensionNumber}`;
}

function notFound(what: string): ReflectionAnswer {
  return { case: 'errorResponse', value: { errorCode: Code.NotFound, errorMessage: `${what} not found` } };
}
