"""Sentences the answer and verification tests share, as focus hands them to the answer step."""

from rag.types import Passage

XI = Passage("a@1", "seeds/a.txt", "Lee is scheduled to meet Chinese President Xi Jinping on Monday.", 2, 2)
LI = Passage("a@2", "seeds/a.txt", "While in Beijing, Lee will also meet Premier Li Qiang and Zhao Leji, Wi said.", 3, 3)
XI_AGAIN = Passage("b@1", "seeds/b.txt", "President Lee's itinerary features a meeting with Chinese President Xi Jinping.", 2, 2)
SANCTIONS = Passage("a@3", "seeds/a.txt", "Beijing then sanctioned 20 U.S. defense contractors.", 7, 7)
ROLE = Passage("m@1", "films/quinn.txt", 'Mara Quinn played a nurse in the 1994 film "Night Ward".', 4, 4)
DIRECTOR = Passage("w@1", "films/ward.txt", '"Night Ward" is a 1994 drama directed by Pavel Orsi.', 1, 1)
# Wiki pages: each sentence sits under its page's title, which says who "he" or "its" is.
PLAYER = Passage("h@1", "wiki/tomas-brenner.md", "He played for the Dunmore Falcons (1951, 1955–1959).", 5, 5, heading="Tomas Brenner")
TEAM = Passage(
    "e@1",
    "wiki/dunmore-falcons.md",
    "The Dunmore Falcons are a football club based in Dunmore, West Arlen.",
    3,
    3,
    heading="Dunmore Falcons",
)
OFFICES = Passage(
    "c@1", "wiki/wrenfield-trust.md", "Its offices are located in Port Anselm and Calder Rise.", 3, 3, heading="Wrenfield Trust"
)
