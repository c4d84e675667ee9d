/** The final answer as the model wrote it: the content of the last `\boxed{…}` (balanced braces), or undefined. */
export function lastBoxedContent(text: string): string | undefined {
  const start = text.lastIndexOf('\\boxed{');
  if (start < 0) return undefined;
  let depth = 0;
  for (let index = start + '\\boxed'.length; index < text.length; index += 1) {
    const character = text[index];
    if (character === '{') depth += 1;
    else if (character === '}') {
      depth -= 1;
      if (depth === 0) return text.slice(start + '\\boxed{'.length, index);
    }
  }
  return undefined;
}
