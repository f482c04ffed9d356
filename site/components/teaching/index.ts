/**
 * @module
 * The teaching devices every chapter may use without importing them (the chapter page passes
 * this map to MDX), so a new chapter is a single .mdx file.
 */
import Analogy from './Analogy.astro';
import Cards from './Cards.astro';
import ConceptCard from './ConceptCard.astro';
import Diagram from './Diagram.astro';
import Misconception from './Misconception.astro';
import Pre from './Pre.astro';
import Recall from './Recall.astro';
import SeedNote from './SeedNote.astro';
import TryFirst from './TryFirst.astro';

export const teaching = { Analogy, Cards, ConceptCard, Diagram, Misconception, Recall, SeedNote, TryFirst, pre: Pre };
