// Compiled with the kernel generated from discriminator-mapping.yaml: a switch on the
// discriminator narrows to the variant, so variant-only fields are reachable, and only there.
import type { EventsListEventsResponseItem, Mizan, Pet } from "./index.js";

export function describePet(pet: Pet): string {
  switch (pet.pet_type) {
    case "cat":
      // @ts-expect-error bark_volume belongs to Dog, not Cat.
      void pet.bark_volume;
      return `${pet.name} lives ${pet.indoor ? "inside" : "outside"}`;
    case "dog":
    case "doggo":
      return `${pet.name} barks at ${pet.bark_volume} dB`;
    case "Lizard":
      return `${pet.scales} scales`;
  }
}

export function isMapped(pet: Pet): boolean {
  // @ts-expect-error "Dog" is not a value of the explicit mapping (only "dog" and "doggo" are).
  return pet.pet_type === "Dog";
}

export async function reasons(mizan: Mizan): Promise<string[]> {
  const events: EventsListEventsResponseItem[] = await mizan.events.listEvents();
  const out: string[] = [];
  for (const event of events) {
    if (event.event === "deleted") out.push(event.reason);
  }
  return out;
}
