// The parts of class-validator and class-transformer that their package entry points do not export, used by the compiled
// validation (src/common/compiled-validation.ts) so that it reads the same metadata and writes the same messages.
declare module 'class-transformer/cjs/storage.js' {
  interface TypeMetadata {
    target: object;
    propertyName: string;
    reflectedType: unknown;
    typeFunction: (options?: { newObject: unknown; object: unknown; property: string }) => unknown;
    options: { discriminator?: unknown; keepDiscriminatorProperty?: boolean };
  }
  interface TransformMetadata {
    options?: { groups?: string[]; since?: number; until?: number };
    transformFn: (params: { value: unknown; key: string; obj: unknown; type: number; options: unknown }) => unknown;
  }
  export const defaultMetadataStorage: {
    findTypeMetadata(target: object, propertyName: string): TypeMetadata | undefined;
    findTransformMetadatas(target: object, propertyName: string, transformationType: number): TransformMetadata[];
    getStrategy(target: object): string;
    getExposedProperties(target: object, transformationType: number): string[];
    getExcludedProperties(target: object, transformationType: number): string[];
  };
}
declare module 'class-transformer/cjs/constants/default-options.constant.js' {
  export const defaultOptions: Record<string, unknown>;
}
declare module 'class-validator/cjs/validation/ValidationUtils.js' {
  export class ValidationUtils {
    static replaceMessageSpecialTokens(message: unknown, validationArguments: object): string;
  }
}
