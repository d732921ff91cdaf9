"""The texts each content page starts with, until staff save their own, in English and Hindi.

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

BODIES_HI = {
    "privacy": """\
जो आगंतुक इस पोर्टल के पृष्ठ केवल पढ़ते हैं, उनके बारे में यह पोर्टल कोई व्यक्तिगत जानकारी एकत्र नहीं
करता। सार्वजनिक पृष्ठ कोई कुकी नहीं रखते और किसी तीसरे पक्ष का विश्लेषण (एनालिटिक्स) नहीं चलाते।

**जब आप हमें लिखते हैं, तब हम क्या रखते हैं।** पूछताछ और प्रतिक्रिया फ़ॉर्म में आप जो भरते हैं (नाम,
ई-मेल पता, संगठन, संदेश), वह सहेजा जाता है ताकि प्रौद्योगिकी-हस्तांतरण दल उत्तर दे सके। आपका IP पता
सहेजा नहीं जाता; दुरुपयोग रोकने के लिए उसका एक कुंजीबद्ध हैश एक घंटे तक रखा जाता है।

**साइन-इन करने वाले उपयोगकर्ता।** साझेदारों और कर्मचारियों का खाता होता है: पोर्टल उनके सत्र का
अभिलेख (समय, ब्राउज़र) और उनके किए गए परिवर्तनों का ऑडिट लॉग रखता है, जैसा किसी सरकारी अभिलेख के
लिए आवश्यक है।

**साझा करना।** हम व्यक्तिगत जानकारी न बेचते हैं, न साझा करते हैं। वह केवल तभी प्रकट की जाती है जब
कानून इसकी माँग करे।

**प्रश्न।** प्रतिक्रिया फ़ॉर्म के माध्यम से प्रौद्योगिकी-हस्तांतरण दल को लिखें।
""",
    "terms": """\
यह पोर्टल रिचार्जेबल बैटरी प्रौद्योगिकी उत्कृष्टता केंद्र (CoE) द्वारा संचालित है। इसका उपयोग करके
आप इन शर्तों को स्वीकार करते हैं।

- यह जानकारी प्रौद्योगिकी हस्तांतरण के लिए सद्भावना से दी गई है; यह कोई कानूनी प्रस्ताव नहीं है।
  लाइसेंस और समझौते तभी बाध्यकारी होते हैं जब दोनों पक्ष उन पर हस्ताक्षर करें।
- तकनीकी आँकड़े (ऊर्जा, चक्र-आयु, लागत) CoE द्वारा मापे या अनुमानित किए गए हैं और बदल सकते हैं।
- डेटासेट प्रत्येक डेटासेट पृष्ठ पर दी गई शर्तों के अधीन उपलब्ध हैं; उनके श्रेय (एट्रिब्यूशन) का
  सम्मान करें।
- ऐसे खातों या डेटा तक पहुँचने का प्रयास न करें जो आपके नहीं हैं, और सेवा में बाधा न डालें।

विवाद भारत के कानूनों के अधीन होंगे।
""",
    "copyright": """\
प्रौद्योगिकी-हस्तांतरण दल को लिखकर उचित अनुमति लेने के बाद इस पोर्टल की सामग्री का निःशुल्क
पुनरुत्पादन किया जा सकता है, बशर्ते उसे सही-सही पुनरुत्पादित किया जाए, अपमानजनक ढंग से या भ्रामक
संदर्भ में उपयोग न किया जाए, और स्रोत का उल्लेख किया जाए।

यह अनुमति उस सामग्री पर लागू नहीं होती जिसे किसी तीसरे पक्ष के कॉपीराइट के रूप में चिह्नित किया गया
है, जैसे वे साइक्लर नमूना फ़ाइलें जिनका श्रेय उनके डेटासेट पृष्ठों पर दिखाया गया है। ऐसी सामग्री के
पुनरुत्पादन की अनुमति उसके धारकों से लेनी होगी।
""",
    "hyperlinking": """\
**अन्य वेबसाइटों के लिंक।** जहाँ यह पोर्टल अन्य वेबसाइटों से लिंक करता है, वहाँ उनकी सामग्री या
विश्वसनीयता के लिए हम उत्तरदायी नहीं हैं; कोई लिंक उसका समर्थन नहीं है।

**इस पोर्टल के लिंक।** इस पोर्टल के पृष्ठों से लिंक करने के लिए आपको हमारी अनुमति की आवश्यकता नहीं
है। कृपया हमारे पृष्ठों को अपनी साइट के फ़्रेम में न खोलें: वे आगंतुक के ब्राउज़र की नई विंडो या
टैब में खुलने चाहिए।
""",
    "accessibility": """\
हम चाहते हैं कि यह पोर्टल भारत सरकार की वेबसाइटों के लिए दिशानिर्देश (GIGW 3.0) और WCAG 2.1 स्तर AA
का पालन करते हुए सभी के लिए उपयोग योग्य हो।

- हर पृष्ठ केवल कीबोर्ड से उपयोग किया जा सकता है; सबसे पहले "मुख्य सामग्री पर जाएँ" लिंक आता है।
- पृष्ठों की जाँच axe-core से स्वचालित रूप से की जाती है और वे 360 px चौड़ाई वाले फ़ोन पर काम करते हैं।
- हर पृष्ठ के ऊपर दिए नियंत्रणों से अक्षरों का आकार और उच्च कंट्रास्ट प्रदर्शन बदला जा सकता है;
  आपकी पसंद इस उपकरण पर याद रखी जाती है।
- चार्ट के साथ वही आँकड़े तालिका के रूप में भी दिए जाते हैं।
- फ़ॉर्म क्षेत्र के पास ही बताते हैं कि क्या गलत है, और आपका भरा हुआ पाठ बनाए रखते हैं।

यदि कुछ उपयोग करने में कठिन हो, तो कृपया प्रतिक्रिया फ़ॉर्म से हमें बताएँ ("सुगम्यता में कोई बाधा"
चुनें); हम पाँच कार्यदिवसों के भीतर उत्तर देते हैं।
""",
    "help": """\
**कोई प्रौद्योगिकी खोजें।** *प्रौद्योगिकियाँ* खोलें, कुछ शब्द लिखें या फ़िल्टर चुनें (रसायन, श्रेणी,
तत्परता स्तर)। पृष्ठ का पता आपकी खोज को दर्शाता है, इसलिए आप उसे साझा कर सकते हैं।

**रुचि व्यक्त करें।** किसी प्रौद्योगिकी के पृष्ठ पर फ़ॉर्म भरें। दल आमतौर पर पाँच कार्यदिवसों के भीतर
उत्तर देता है।

**डेटासेट।** सार्वजनिक डेटासेट कोई भी देख और डाउनलोड कर सकता है; साझेदार डेटासेट के लिए साइन-इन
आवश्यक है।

**साझेदार।** अपने समझौते, पड़ाव (माइलस्टोन) और आपके साथ साझा किए गए डेटासेट देखने के लिए साइन-इन
करें।

**प्रदर्शन।** अक्षरों के आकार के लिए A− / A / A+ बटन और उच्च कंट्रास्ट प्रदर्शन के लिए "उच्च
कंट्रास्ट" का उपयोग करें।

फिर भी कठिनाई हो? प्रतिक्रिया फ़ॉर्म का उपयोग करें।
""",
}
