// OrbitQL's namespaced functions (`string::lower`) and the function-registry names they stand for.

/**
 * Each namespaced name and the registry function it calls with the same arguments. A name missing here
 * is reported by the binder as an unknown function under its OrbitQL spelling.
 */
export const NAMESPACED_FUNCTIONS: Readonly<Record<string, string>> = {
  'string::lower': 'lower',
  'string::upper': 'upper',
  'string::len': 'length',
  'string::concat': 'concat',
  'string::trim': 'btrim',
  'string::replace': 'replace',
  'string::reverse': 'reverse',
  'string::starts_with': 'starts_with',
  'string::split': 'string_to_array',
  'string::join': 'array_to_string',
  'math::abs': 'abs',
  'math::ceil': 'ceil',
  'math::floor': 'floor',
  'math::round': 'round',
  'math::sqrt': 'sqrt',
  'math::pow': 'power',
  'math::ln': 'ln',
  'math::log10': 'log10',
  'math::exp': 'exp',
  'math::sign': 'sign',
  'math::pi': 'pi',
  'math::max': 'greatest',
  'math::min': 'least',
  'rand::float': 'random',
  'rand::uuid': 'gen_random_uuid',
  'time::now': 'now',
  'time::format': 'to_char',
  'time::bucket': 'time_bucket',
  'time::trunc': 'date_trunc',
  'vector::distance::cosine': 'cosine_distance',
  'vector::distance::euclidean': 'l2_distance',
  'vector::distance::manhattan': 'l1_distance',
  'vector::distance::dot': 'negative_inner_product',
  'vector::similarity::cosine': 'cosine_similarity',
  'vector::dot': 'inner_product',
  'vector::dims': 'vector_dims',
  'vector::magnitude': 'vector_norm',
  'string::repeat': 'repeat',
  'string::slice': 'substr',
  'string::lpad': 'lpad',
  'string::rpad': 'rpad',
  'math::trunc': 'trunc',
  'math::mod': 'mod',
  'math::log': 'log',
  'math::cbrt': 'cbrt',
  'array::len': 'cardinality',
  'array::append': 'array_append',
  'array::prepend': 'array_prepend',
  'array::concat': 'array_cat',
  'array::find_index': 'array_position',
  'object::keys': 'object_keys',
  'object::values': 'object_values',
  'object::entries': 'object_entries',
  'object::len': 'object_len',
  'object::extract': 'jsonb_extract_path',
};

/** The registry name behind a namespaced function, if OrbitQL knows it. */
export function registryName(namespaced: string): string | undefined {
  return NAMESPACED_FUNCTIONS[namespaced];
}
