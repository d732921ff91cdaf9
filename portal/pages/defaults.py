"""The texts each content page starts with, until staff save their own (English; Hindi titles).

Plain statements for a government portal under GIGW 3.0; the CoE edits them at /admin/pages.
"""

from __future__ import annotations

from datetime import date

# When these shipped texts were last revised: the "Last updated" date of a page nobody edited.
SHIPPED_ON = date(2026, 12, 3)

TITLES_HI = {
    "privacy": "गोपनीयता नीति",
    "terms": "उपयोग की शर्तें",
    "copyright": "कॉपीराइट नीति",
    "hyperlinking": "हाइपरलिंकिंग नीति",
    "accessibility": "सुगम्यता विवरण",
    "help": "सहायता",
}

BODIES_EN = {
    "privacy": """\
This portal does not collect personal information about visitors who only read its pages. Public
pages set no cookie and run no third-party analytics.

**What we keep when you write to us.** The inquiry and feedback forms store what you type (name,
e-mail address, organisation, message) so that the technology-transfer team can answer. Your IP
address is not stored; a keyed hash of it is kept for one hour to limit abuse.

**Signed-in users.** Partners and staff have an account: the portal keeps a session record (time,
browser) and an audit log of the changes they make, as required for a government record.

**Sharing.** We do not sell or share personal information. It is disclosed only when the law
requires it.

**Questions.** Write to the technology-transfer team through the feedback form.
""",
    "terms": """\
This portal is run by the Centre of Excellence on Rechargeable Battery Technology. By using it
you accept these terms.

- The information is provided in good faith for technology transfer; it is not a legal offer.
  Licences and agreements bind only when signed by both parties.
- Technical figures (energy, cycle life, cost) are measured or estimated by the CoE and may change.
- Datasets are offered under the terms shown on each dataset page; respect their attribution.
- Do not try to gain access to accounts or data that are not yours, or to disrupt the service.

Disputes are subject to the laws of India.
""",
    "copyright": """\
Material on this portal may be reproduced free of charge after taking proper permission by
writing to the technology-transfer team, provided it is reproduced accurately, not used in a
derogatory manner or in a misleading context, and the source is acknowledged.

This permission does not extend to material identified as the copyright of a third party, such as
the cycler sample files whose attribution is shown on their dataset pages. Authorisation to
reproduce such material must be obtained from their holders.
""",
    "hyperlinking": """\
**Links to other websites.** Where this portal links to other websites, we are not responsible
for their contents or reliability; a link is not an endorsement.

**Links to this portal.** You do not need our permission to link to pages of this portal. Please
do not load our pages into frames on your site: they should open in a newly opened browser window
or tab of the visitor.
""",
    "accessibility": """\
We want this portal to be usable by everyone, following the Guidelines for Indian Government
Websites (GIGW 3.0) and WCAG 2.1 level AA.

- Every page can be used with the keyboard alone; a "Skip to main content" link comes first.
- Pages are tested automatically with axe-core and work at 360 px phone width.
- Text size and a high-contrast display can be changed with the controls at the top of each page;
  your choice is remembered on this device.
- Charts come with the same figures as a table.
- Forms say what is wrong next to the field and keep what you typed.

If something is hard to use, please tell us through the feedback form (choose "An accessibility
barrier"); we answer within five working days.
""",
    "help": """\
**Find a technology.** Open *Technologies*, type a few words or tick the filters (chemistry,
category, readiness level). The address of the page describes your search, so you can share it.

**Express interest.** On a technology's page, fill in the form. The team usually answers within
five working days.

**Datasets.** Public datasets can be viewed and downloaded by anyone; partner datasets need a
sign-in.

**Partners.** Sign in to see your agreements, milestones and the datasets shared with you.

**Display.** Use the A− / A / A+ buttons for the text size and "High contrast" for a
high-contrast display.

Still stuck? Use the feedback form.
""",
}
