"""`direction_difference`: two similar claims that point in different directions.

The sentences are written for these tests (general news sentences, none from the sample
articles or from any evaluation file). Every pair is read both ways round.
"""

import sys
import time
from pathlib import Path

import pytest

from apps.claims.nlp import build_lexical_data, direction
from apps.claims.nlp.direction import Difference, direction_difference

DIFFERENT = [
    # antonyms (WordNet): verbs and adjectives, the same roles around them
    (
        "antonym",
        "Orion Foods buys the bottling plant in Leeds.",
        "Orion Foods sells the bottling plant in Leeds.",
    ),
    (
        "antonym",
        "The regional council approved the new bus lanes.",
        "The regional council rejected the new bus lanes.",
    ),
    (
        "antonym",
        "Chile exports most of its copper to Asia.",
        "Chile imports most of its copper from Asia.",
    ),
    (
        "antonym",
        "The museum will open its new wing in the autumn.",
        "The museum will close its new wing in the autumn.",
    ),
    (
        "antonym",
        "Rents in the capital were higher than a year earlier.",
        "Rents in the capital were lower than a year earlier.",
    ),
    (
        "antonym",
        "The company increased its dividend for the third year running.",
        "The company cut its dividend for the third year running.",
    ),
    (
        "antonym",
        "The airline doubled the number of flights to Lisbon.",
        "The airline halved the number of flights to Lisbon.",
    ),
    (
        "antonym",
        "Coffee prices rose sharply in the spring.",
        "Coffee prices fell sharply in the spring.",
    ),
    (
        "antonym",
        "The home side won the derby against their old rivals.",
        "The home side lost the derby against their old rivals.",
    ),
    (
        "antonym",
        "The new tunnel is safe for cyclists.",
        "The new tunnel is dangerous for cyclists.",
    ),
    (
        "antonym",
        "Membership of the union grew last year.",
        "Membership of the union shrank last year.",
    ),
    (
        "antonym",
        "The central bank raised its lending rate.",
        "The central bank lowered its lending rate.",
    ),
    (
        "antonym",
        "The treaty strengthened the rights of fishermen.",
        "The treaty weakened the rights of fishermen.",
    ),
    (
        "antonym",
        "Exports of rice increased by 4 percent.",
        "Exports of rice decreased by 4 percent.",
    ),
    ("antonym", "The drug was cheap to produce.", "The drug was expensive to produce."),
    (
        "antonym",
        "Tourist numbers rose after the bridge opened.",
        "Tourist numbers dropped after the bridge opened.",
    ),
    (
        "antonym",
        "The board hired the new director in March.",
        "The board fired the new director in March.",
    ),
    # negation, explicit and implicit ("denied", "opposed": defined by a negation)
    (
        "negation",
        "The mayor signed the housing decree.",
        "The mayor did not sign the housing decree.",
    ),
    (
        "negation",
        "The stadium has never hosted a cup final.",
        "The stadium has hosted a cup final.",
    ),
    ("negation", "The firm no longer makes tyres in Ohio.", "The firm makes tyres in Ohio."),
    (
        "negation",
        "Teachers in the district aren't on strike.",
        "Teachers in the district are on strike.",
    ),
    (
        "negation",
        "The audit report has yet to be published.",
        "The audit report has been published.",
    ),
    ("negation", "The minister failed to attend the summit.", "The minister attended the summit."),
    (
        "negation",
        "The vaccine is approved for children.",
        "The vaccine is not approved for children.",
    ),
    (
        "negation",
        "The ministry reported a rise in measles cases.",
        "The ministry denied a rise in measles cases.",
    ),
    (
        "negation",
        "The senate approved the water bill on Tuesday.",
        "The senate opposed the water bill on Tuesday.",
    ),
    # quantifiers
    (
        "quantifier",
        "All of the bridges in the province were inspected last year.",
        "None of the bridges in the province were inspected last year.",
    ),
    (
        "quantifier",
        "Most voters in the district backed the reform.",
        "Few voters in the district backed the reform.",
    ),
    (
        "quantifier",
        "Every hospital in the region has a backup generator.",
        "No hospital in the region has a backup generator.",
    ),
    (
        "quantifier",
        "Some of the wells in the village were contaminated.",
        "All of the wells in the village were contaminated.",
    ),
    # numbers and quantities
    (
        "number",
        "The fire destroyed 40 homes in the valley.",
        "The fire destroyed 400 homes in the valley.",
    ),
    (
        "number",
        "Between 30 and 60% of the crop was lost.",
        "Between 1 and 2% of the crop was lost.",
    ),
    ("number", "The new library cost 2 million euros.", "The new library cost 3 million euros."),
    (
        "number",
        "Inflation reached 7.5 percent in the year to June.",
        "Inflation reached 5.7 percent in the year to June.",
    ),
    (
        "number",
        "About twelve thousand people attended the rally.",
        "About twenty thousand people attended the rally.",
    ),
    (
        "number",
        "The storm left 3,000 households without power.",
        "The storm left 30,000 households without power.",
    ),
    (
        "number",
        "Support for the mayor stands at 2.4 million votes.",
        "Support for the mayor stands at 2 million votes.",
    ),
    # dates
    ("date", "The airport terminal opened in 2012.", "The airport terminal opened in 2022."),
    ("date", "The referendum is scheduled for March.", "The referendum is scheduled for May."),
    ("date", "The dock strike began on Monday.", "The dock strike began on Friday."),
    ("date", "Sales peaked in the summer of 2019.", "Sales peaked in the winter of 2019."),
    (
        "date",
        "The smoking ban came into force last year.",
        "The smoking ban came into force this year.",
    ),
    ("date", "The festival takes place on 14 July.", "The festival takes place on 21 July."),
    # places (GeoNames)
    (
        "place",
        "The climate summit will be held in Paris.",
        "The climate summit will be held in Berlin.",
    ),
    (
        "place",
        "The carmaker built its first factory in Brazil.",
        "The carmaker built its first factory in Mexico.",
    ),
    (
        "place",
        "The earthquake struck near Osaka early on Tuesday.",
        "The earthquake struck near Sapporo early on Tuesday.",
    ),
    (
        "place",
        "The marathon record was set in Chicago.",
        "The marathon record was set in Valencia.",
    ),
    # agents
    (
        "agent",
        "The bill was drafted by senator Maria Lopez.",
        "The bill was drafted by senator John Baker.",
    ),
    (
        "agent",
        "The merger was announced by Northwind Energy.",
        "The merger was announced by Redfield Power.",
    ),
    (
        "agent",
        "Striker Lena Fischer scored the winning goal.",
        "Midfielder Sara Holm scored the winning goal.",
    ),
    # more, in other shapes
    (
        "antonym",
        "The union accepted the pay offer on Thursday.",
        "The union rejected the pay offer on Thursday.",
    ),
    (
        "antonym",
        "The company expanded its fleet of delivery vans.",
        "The company reduced its fleet of delivery vans.",
    ),
    ("antonym", "The firm gained market share in Poland.", "The firm lost market share in Poland."),
    (
        "antonym",
        "The court convicted the former minister.",
        "The court acquitted the former minister.",
    ),
    (
        "antonym",
        "Imports from Vietnam surged in the second half.",
        "Imports from Vietnam plunged in the second half.",
    ),
    (
        "antonym",
        "Rebel forces advanced towards the capital.",
        "Rebel forces retreated towards the capital.",
    ),
    (
        "antonym",
        "The governor's approval rating improved over the summer.",
        "The governor's approval rating worsened over the summer.",
    ),
    (
        "antonym",
        "Winters in the region are getting warmer.",
        "Winters in the region are getting colder.",
    ),
    (
        "antonym",
        "The new model is more popular with young buyers.",
        "The new model is less popular with young buyers.",
    ),
    ("antonym", "The measure passed in the lower house.", "The measure failed in the lower house."),
    (
        "antonym",
        "The clinic opened its doors to patients in 2020.",
        "The clinic closed its doors to patients in 2020.",
    ),
    ("antonym", "The factory is in northern Italy.", "The factory is in southern Italy."),
    (
        "antonym",
        "Water levels in the reservoir are rising.",
        "Water levels in the reservoir are falling.",
    ),
    (
        "antonym",
        "More than 300 people attended the hearing.",
        "Fewer than 300 people attended the hearing.",
    ),
    (
        "quantifier",
        "Nobody was hurt in the explosion at the depot.",
        "Several workers were hurt in the explosion at the depot.",
    ),
    (
        "negation",
        "The proposal cannot pass without the greens.",
        "The proposal can pass without the greens.",
    ),
    ("negation", "The bridge was never finished.", "The bridge was finished."),
    (
        "quantifier",
        "The majority of the region's farms use irrigation.",
        "A minority of the region's farms use irrigation.",
    ),
    (
        "quantifier",
        "Many residents supported the new park.",
        "Few residents supported the new park.",
    ),
    (
        "quantifier",
        "Only a handful of the schools have a library.",
        "Most of the schools have a library.",
    ),
    ("number", "A quarter of adults in the city smoke.", "A third of adults in the city smoke."),
    (
        "number",
        "Rents have risen twice as fast as wages.",
        "Rents have risen three times as fast as wages.",
    ),
    ("number", "Hundreds of homes were flooded.", "Thousands of homes were flooded."),
    (
        "number",
        "The company employs 1.5 million people.",
        "The company employs 2.5 million people.",
    ),
    ("number", "The ferry carried 312 passengers.", "The ferry carried 213 passengers."),
    ("date", "The mine closed in the 1990s.", "The mine closed in the 1980s."),
    ("date", "The team has been unbeaten since 2010.", "The team has been unbeaten since 2015."),
    (
        "date",
        "Prices peaked in the first half of the year.",
        "Prices peaked in the second half of the year.",
    ),
    ("date", "The vote took place on 3 May.", "The vote took place on 5 May."),
    (
        "place",
        "The oil spill reached beaches in Portugal.",
        "The oil spill reached beaches in Spain.",
    ),
    (
        "place",
        "The tournament final was moved to Lagos.",
        "The tournament final was moved to Abuja.",
    ),
    (
        "place",
        "Floods hit the state of Texas last week.",
        "Floods hit the state of Oregon last week.",
    ),
    (
        "agent",
        "The report was published by the Ministry of Health.",
        "The report was published by the Ministry of Finance.",
    ),
    (
        "agent",
        "The contract went to Baltic Shipyards.",
        "The contract went to Nordic Marine Works.",
    ),
    (
        "agent",
        "Coach Pablo Reyes was sacked after the defeat.",
        "Coach Marco Bellini was sacked after the defeat.",
    ),
    ("negation", "The union voted for the merger.", "The union voted against the merger."),
    ("negation", "The airline flies to Rome.", "The airline stopped flying to Rome."),
    (
        "date",
        "The stadium will be finished in mid-2026.",
        "The stadium will be finished in mid-2027.",
    ),
    ("antonym", "The shop is open on Sundays.", "The shop is closed on Sundays."),
    ("negation", "The shop does not close on Sundays.", "The shop closes on Sundays."),
    (
        "antonym",
        "The Kenyan shilling strengthened against the dollar in March.",
        "The Kenyan shilling weakened against the dollar in March.",
    ),
    (
        "antonym",
        "The airline's profits tripled in the first quarter.",
        "The airline's profits fell by a third in the first quarter.",
    ),
    (
        "antonym",
        "The ceasefire proposal was accepted by both sides.",
        "The ceasefire proposal was rejected by both sides.",
    ),
    (
        "number",
        "Only 12 percent of the country's roads are paved.",
        "Only 21 percent of the country's roads are paved.",
    ),
    (
        "date",
        "The singer's debut album was released in 1998.",
        "The singer's debut album was released in 1989.",
    ),
    (
        "antonym",
        "The drug reduced the risk of heart attack in older patients.",
        "The drug increased the risk of heart attack in older patients.",
    ),
    ("place", "The tanker sank off the coast of Oman.", "The tanker sank off the coast of Yemen."),
    (
        "antonym",
        "Consumer confidence improved in August.",
        "Consumer confidence deteriorated in August.",
    ),
    (
        "antonym",
        "The company's shares gained 8 percent on Monday.",
        "The company's shares lost 8 percent on Monday.",
    ),
    (
        "place",
        "Austria won the most medals at the championships.",
        "Australia won the most medals at the championships.",
    ),
    (
        "antonym",
        "The president's party won a majority in the senate.",
        "The president's party lost its majority in the senate.",
    ),
    (
        "antonym",
        "Attendance at the museum increased after the renovation.",
        "Attendance at the museum declined after the renovation.",
    ),
    ("number", "Half of the voters backed the deal.", "A third of the voters backed the deal."),
    # predicates that WordNet does not oppose, with the same arguments around them
    (
        "predicate",
        "Police arrested the protest leader on Sunday.",
        "Police released the protest leader on Sunday.",
    ),
    (
        "predicate",
        "The court upheld the ban on night flights.",
        "The court lifted the ban on night flights.",
    ),
    (
        "predicate",
        "The regional parliament voted to leave the federation.",
        "The regional parliament voted to remain in the federation.",
    ),
    (
        "predicate",
        "The ceasefire agreement was signed by both sides.",
        "The ceasefire agreement was broken by both sides.",
    ),
    (
        "predicate",
        "The government eased restrictions on foreign investment.",
        "The government tightened restrictions on foreign investment.",
    ),
]

SAME = [
    # converses: the roles swap around the opposed words
    (
        "converse",
        "Orion Foods sold the plant to Castell Group.",
        "Castell Group bought the plant from Orion Foods.",
    ),
    ("converse", "Ajax beat Feyenoord 2-1 on Sunday.", "Feyenoord lost 2-1 to Ajax on Sunday."),
    (
        "converse",
        "The city leased the old depot to a bakery chain.",
        "A bakery chain took a lease on the old depot from the city.",
    ),
    (
        "converse",
        "The bank lent the farmers 3 million dollars.",
        "The farmers borrowed 3 million dollars from the bank.",
    ),
    ("converse", "Anna is older than her brother Tom.", "Tom is younger than his sister Anna."),
    ("converse", "Greece imports wheat from Ukraine.", "Ukraine exports wheat to Greece."),
    (
        "converse",
        "Delta Mining sold its copper mine to Kestrel Resources.",
        "Kestrel Resources bought Delta Mining's copper mine.",
    ),
    # active and passive
    ("passive", "The council approved the plan.", "The plan was approved by the council."),
    (
        "passive",
        "The regulator fined the airline 2 million euros.",
        "The airline was fined 2 million euros by the regulator.",
    ),
    (
        "passive",
        "Storms damaged dozens of roofs in Cork.",
        "Dozens of roofs in Cork were damaged by storms.",
    ),
    (
        "passive",
        "Voters rejected the new constitution in 2016.",
        "The new constitution was rejected by voters in 2016.",
    ),
    # number formats
    (
        "number-format",
        "The festival drew 4,500 visitors.",
        "The festival drew four and a half thousand visitors.",
    ),
    (
        "number-format",
        "The festival drew 4,500 visitors.",
        "The festival drew 4.5 thousand visitors.",
    ),
    ("number-format", "Turnout was 30 percent.", "Turnout was 30%."),
    ("number-format", "Turnout was 30 per cent.", "Turnout was thirty percent."),
    (
        "number-format",
        "The club paid $2m for the striker.",
        "The club paid 2 million dollars for the striker.",
    ),
    (
        "number-format",
        "A third of the budget goes on salaries.",
        "One in three euros of the budget goes on salaries.",
    ),
    (
        "number-format",
        "Half a million people visited the exhibition.",
        "500,000 people visited the exhibition.",
    ),
    (
        "number-format",
        "The port handled 1.5bn tonnes of cargo.",
        "The port handled 1,500 million tonnes of cargo.",
    ),
    ("number-format", "Twenty-five people were injured.", "25 people were injured."),
    ("number-format", "The population is 1,234,000.", "The population is 1.2 million."),
    (
        "number-format",
        "A quarter of the farms have no tractor.",
        "25% of the farms have no tractor.",
    ),
    # synonyms, reordering, paraphrase
    (
        "synonym",
        "The company hired 2,000 workers last year.",
        "Last year the firm took on 2,000 new employees.",
    ),
    (
        "synonym",
        "The prime minister resigned on Friday.",
        "On Friday the prime minister stepped down.",
    ),
    (
        "synonym",
        "Wheat prices climbed steeply in June.",
        "In June, the price of wheat rose sharply.",
    ),
    (
        "synonym",
        "The ferry service was suspended because of the storm.",
        "The storm forced the suspension of the ferry service.",
    ),
    (
        "synonym",
        "The charity has not received any government money.",
        "The charity has received no money from the government.",
    ),
    (
        "synonym",
        "Few economists expected the rate cut.",
        "Not many economists expected the rate cut.",
    ),
    (
        "synonym",
        "The plant in Kandy employs 300 people.",
        "The Sri Lankan plant employs 300 people.",
    ),
    (
        "synonym",
        "The hospital in Kandy treats 300 patients a day.",
        "The hospital in Sri Lanka treats 300 patients a day.",
    ),
    ("synonym", "The UN condemned the attack.", "The United Nations condemned the attack."),
    ("synonym", "The Kenyan parliament passed the bill.", "Kenya's parliament passed the bill."),
    ("synonym", "President Ana Ruiz opened the bridge.", "Ruiz opened the bridge."),
    (
        "paraphrase",
        "Half of the town's residents lack clean water.",
        "One in two residents of the town has no clean water.",
    ),
    (
        "paraphrase",
        "The tax has doubled since 2015.",
        "The tax is twice as high as it was in 2015.",
    ),
    (
        "paraphrase",
        "The river has not flooded in a decade.",
        "The river has gone ten years without flooding.",
    ),
    (
        "paraphrase",
        "The council did not approve the plan until March.",
        "The council approved the plan in March.",
    ),
    # more, in other shapes
    (
        "converse",
        "The retailer gave each employee a bonus.",
        "Each employee received a bonus from the retailer.",
    ),
    (
        "converse",
        "Cairo is ahead of Lagos in the rankings.",
        "Lagos is behind Cairo in the rankings.",
    ),
    ("converse", "The storm preceded the floods.", "The floods followed the storm."),
    ("converse", "Norway's exports to Germany rose.", "Germany's imports from Norway rose."),
    ("converse", "Porto defeated Benfica in the final.", "Benfica lost to Porto in the final."),
    (
        "converse",
        "The manager taught the trainees the new system.",
        "The trainees learned the new system from the manager.",
    ),
    (
        "converse",
        "Helix Bank is the parent company of Orbit Pay.",
        "Orbit Pay is a subsidiary of Helix Bank.",
    ),
    (
        "passive",
        "Engineers repaired the dam within a week.",
        "The dam was repaired by engineers within a week.",
    ),
    ("passive", "A jury found the driver guilty.", "The driver was found guilty by a jury."),
    (
        "number-format",
        "Sales rose to 1.5 million units.",
        "Sales rose to one and a half million units.",
    ),
    (
        "number-format",
        "A dozen ships were stuck in the canal.",
        "12 ships were stuck in the canal.",
    ),
    ("number-format", "The budget is £3.2bn.", "The budget is 3.2 billion pounds."),
    ("number-format", "Seven in ten voters backed the deal.", "70% of voters backed the deal."),
    ("number-format", "Inflation was 0.5 percent.", "Inflation was half a percent."),
    ("number-format", "Two thousand jobs will go.", "2,000 jobs will go."),
    ("number-format", "Nearly a third of the forest burned.", "Roughly 30% of the forest burned."),
    (
        "number-format",
        "Half of the voters stayed at home.",
        "About 50% of the voters stayed at home.",
    ),
    (
        "synonym",
        "The airline cancelled dozens of flights because of the strike.",
        "Dozens of flights were called off by the airline due to the strike.",
    ),
    (
        "synonym",
        "Shares in the carmaker slumped after the recall.",
        "The carmaker's stock dropped sharply following the recall.",
    ),
    (
        "synonym",
        "The town's only hospital shut down in 2018.",
        "In 2018 the only hospital in the town closed.",
    ),
    (
        "synonym",
        "The company began production at the plant in May.",
        "Production at the plant started in May.",
    ),
    ("synonym", "The minister left office after two years.", "After two years, the minister quit."),
    (
        "synonym",
        "The new law makes it easier to start a business.",
        "Starting a business is simpler under the new law.",
    ),
    (
        "paraphrase",
        "The club has not won a trophy since 1998.",
        "The club's last trophy came in 1998.",
    ),
    (
        "paraphrase",
        "The drought wiped out most of the maize harvest.",
        "Most of the maize crop was lost to the drought.",
    ),
    (
        "paraphrase",
        "Unemployment fell to its lowest level in 20 years.",
        "The jobless rate is now the lowest it has been for two decades.",
    ),
    ("paraphrase", "The mayor turned down the invitation.", "The mayor declined the invitation."),
    ("paraphrase", "Fewer people are buying newspapers.", "Newspaper sales are falling."),
    (
        "paraphrase",
        "The ban on public gatherings was lifted on Monday.",
        "Public gatherings have been allowed again since Monday.",
    ),
    ("paraphrase", "Half of the staff work from home.", "One in two employees works remotely."),
    ("synonym", "The price of gold hit a record high.", "Gold has never been more expensive."),
    ("synonym", "The company's profits halved.", "The company's profits fell by 50%."),
    ("synonym", "Prices doubled.", "Prices rose by 100%."),
    ("synonym", "The minister stayed in office.", "The minister did not resign."),
    ("synonym", "The team remained unbeaten.", "The team did not lose a game."),
    ("synonym", "The shop is open on Sundays.", "The shop does not close on Sundays."),
    (
        "synonym",
        "Most residents oppose the plan.",
        "The majority of residents are against the plan.",
    ),
    ("synonym", "The airline will stop flying to Rome.", "The airline will no longer fly to Rome."),
    ("converse", "Lyra trails Corwin in the polls.", "Corwin leads Lyra in the polls."),
    ("synonym", "Imports fell while exports rose.", "Exports rose while imports fell."),
    ("synonym", "The strike lasted three weeks.", "The three-week strike ended."),
    ("number-format", "Turnout was 2.5 million.", "Turnout was 2,500,000."),
    ("number-format", "The deal is worth $5bn.", "The deal is worth five billion dollars."),
    (
        "number-format",
        "A hundred firefighters fought the blaze.",
        "100 firefighters fought the blaze.",
    ),
    ("number-format", "Forty thousand fans watched the game.", "40,000 fans watched the game."),
    (
        "number-format",
        "The levy has been in place for two decades.",
        "The levy has been in place for 20 years.",
    ),
    ("number-format", "Tens of thousands of people marched.", "About 40,000 people marched."),
    ("number-format", "Hundreds of homes were flooded.", "About 300 homes were flooded."),
    ("date", "The bridge reopened in mid-2021.", "The bridge reopened in the middle of 2021."),
    ("quantifier", "Each of the 12 judges agreed.", "All 12 judges agreed."),
    ("quantifier", "No fewer than 300 people came.", "At least 300 people came."),
    ("passive", "The bill was passed by parliament.", "Parliament approved the bill."),
    ("agent", "The minister opened the bridge.", "Maria Lopez opened the bridge."),
    (
        "paraphrase",
        "The factory stopped production in June.",
        "Production at the factory ended in June.",
    ),
    (
        "passive",
        "The Indonesian navy seized a Vietnamese fishing boat off the Natuna Islands on Saturday.",
        "A Vietnamese fishing vessel was seized by Indonesia's navy near the Natuna Islands"
        " on Saturday.",
    ),
    (
        "synonym",
        "Moroccan phosphate producer OCP signed a $2.3 billion supply deal with an Indian"
        " fertiliser maker.",
        "An Indian fertiliser maker agreed a US$2.3bn supply contract with Morocco's OCP.",
    ),
    (
        "paraphrase",
        "Heavy rains forced the closure of 40 schools in Kerala on Monday.",
        "Forty schools in Kerala were shut on Monday after heavy rain.",
    ),
    (
        "synonym",
        "The Peruvian congress removed President Castillo from office in December 2022.",
        "In December 2022, Peru's congress ousted Pedro Castillo as president.",
    ),
    (
        "paraphrase",
        "The strike by dock workers in Antwerp lasted nine days.",
        "Antwerp's dockers were on strike for nine days.",
    ),
    (
        "paraphrase",
        "Argentina's annual inflation rate exceeded 200 percent in December.",
        "In December, consumer prices in Argentina were more than 200% higher than a year earlier.",
    ),
    (
        "passive",
        "Prime Minister Sharif inaugurated the new airport in Gwadar.",
        "The new Gwadar airport was opened by Prime Minister Sharif.",
    ),
    (
        "synonym",
        "The Ugandan government banned the import of used clothing.",
        "Uganda has prohibited imports of second-hand clothes.",
    ),
    (
        "number-format",
        "Fewer than half of Ghana's households have a bank account.",
        "Less than 50% of households in Ghana have a bank account.",
    ),
    (
        "converse",
        "The Chilean peso weakened against the dollar.",
        "The dollar strengthened against the Chilean peso.",
    ),
    (
        "synonym",
        "Colombia's coffee output rose 10% last year.",
        "Last year, coffee production in Colombia increased by ten percent.",
    ),
    (
        "synonym",
        "The Swedish government raised the retirement age to 67.",
        "Sweden has increased its pension age to 67.",
    ),
    (
        "converse",
        "Lagos Port handled more cargo than Tema in 2023.",
        "Tema handled less cargo than Lagos Port in 2023.",
    ),
    ("synonym", "The minister was dismissed on Tuesday.", "On Tuesday the minister was sacked."),
    (
        "synonym",
        "Flights between Lima and Cusco resumed after the protests ended.",
        "After the protests ended, flights from Lima to Cusco restarted.",
    ),
    ("number-format", "The law was passed a decade ago.", "The law was passed 10 years ago."),
    (
        "number-format",
        "The record stood for a decade and a half.",
        "The record stood for 15 years.",
    ),
    ("number-format", "Half of the voters backed the deal.", "50% of the voters backed the deal."),
]

# What the reader gets wrong, kept here so that a change that fixes one shows: the kind it
# reports now (None: no difference). WordNet relates none of these predicates, so that
# same-meaning pairs are held apart ("scrap" / "abolish"); an adjective and a participle
# that WordNet does not link are not read as opposed; "less noisy" is not read as "quiet";
# "French" is not read as France, so Lyon looks like another name.
KNOWN_GAPS = [
    ("The factory near Lyon closed in 2019.", "The French factory closed in 2019.", "agent"),
    (
        "The government scrapped the fuel subsidy.",
        "The fuel subsidy was abolished by the government.",
        "predicate",
    ),
    (
        "Norway's sovereign wealth fund lost 1.6 trillion crowns in the first half of the year.",
        "The Norwegian oil fund shed NOK 1.6tn in the first six months of the year.",
        "predicate",
    ),
    (
        "A court in Nairobi sentenced the former governor to 12 years in prison for graft.",
        "The ex-governor was jailed for 12 years by a Nairobi court over corruption.",
        "predicate",
    ),
    (
        "Tap water in the district is drinkable.",
        "Tap water in the district is contaminated.",
        None,
    ),
    (
        "The carmaker set up a battery plant in Hungary.",
        "The carmaker shut down a battery plant in Hungary.",
        None,
    ),
    (
        "The government scrapped the fuel levy.",
        "The government abolished the fuel levy.",
        "predicate",
    ),
    (
        "Share prices tumbled on Tuesday.",
        "Share prices plunged on Tuesday.",
        "predicate",
    ),
    (
        "The minister presented the budget.",
        "The minister unveiled the budget.",
        "predicate",
    ),
    (
        "Police detained three suspects.",
        "Police arrested three suspects.",
        "predicate",
    ),
    (
        "The firm launched a new phone.",
        "The firm introduced a new phone.",
        "predicate",
    ),
    (
        "The refinery is quieter at night.",
        "The refinery is less noisy at night.",
        "antonym",
    ),
]

# Opposed predicates that WordNet does not oppose (or oppose only through a converse that
# the roles rule out): the predicate rule holds them apart, unless WordNet relates them.
# Written for these tests: newsroom topics of all kinds, none from the samples or an
# evaluation file.
OPPOSED_PREDICATES = [
    (
        "Police arrested the union organiser in Bilbao on Friday.",
        "Police released the union organiser in Bilbao on Friday.",
    ),
    (
        "The appeals court upheld the ban on fishing in the bay.",
        "The appeals court lifted the ban on fishing in the bay.",
    ),
    (
        "The island voted to leave the customs union.",
        "The island voted to remain in the customs union.",
    ),
    (
        "The central bank eased rules on mortgage lending.",
        "The central bank tightened rules on mortgage lending.",
    ),
    (
        "The motorway was busier than usual over the holiday weekend.",
        "The motorway was quieter than usual over the holiday weekend.",
    ),
    (
        "The school board added two subjects to the curriculum.",
        "The school board removed two subjects from the curriculum.",
    ),
    (
        "Lithuania joined the regional energy pact in 2015.",
        "Lithuania left the regional energy pact in 2015.",
    ),
    (
        "The government introduced a tax on sugary drinks.",
        "The government abolished the tax on sugary drinks.",
    ),
    (
        "Voting is compulsory in the state elections.",
        "Voting is optional in the state elections.",
    ),
    (
        "The city council took on 800 bus drivers.",
        "The city council laid off 800 bus drivers.",
    ),
    (
        "The ceasefire deal was signed by both militias.",
        "The ceasefire deal was broken by both militias.",
    ),
    (
        "The regulator approved the merger of the two telecom firms.",
        "The regulator blocked the merger of the two telecom firms.",
    ),
    (
        "The mayor opened the new cycle path along the river.",
        "The mayor shut down the new cycle path along the river.",
    ),
    (
        "The health ministry extended the mask mandate in hospitals.",
        "The health ministry scrapped the mask mandate in hospitals.",
    ),
    (
        "The club renewed the goalkeeper's contract.",
        "The club terminated the goalkeeper's contract.",
    ),
    (
        "Farmers in the valley planted the barley early.",
        "Farmers in the valley harvested the barley early.",
    ),
    (
        "The president signed the fisheries bill.",
        "The president vetoed the fisheries bill.",
    ),
    (
        "The airline launched a direct route to Nairobi.",
        "The airline suspended its direct route to Nairobi.",
    ),
    (
        "The court freed the jailed activist.",
        "The court detained the jailed activist.",
    ),
    (
        "The port authority expanded the container terminal.",
        "The port authority demolished the container terminal.",
    ),
    (
        "Parliament passed the data protection law.",
        "Parliament repealed the data protection law.",
    ),
    (
        "The coach picked the young striker for the final.",
        "The coach dropped the young striker for the final.",
    ),
    (
        "The bank kept the village branch.",
        "The bank sold the village branch.",
    ),
    (
        "The hospital hired 150 nurses last month.",
        "The hospital dismissed 150 nurses last month.",
    ),
    (
        "The state restored funding for rural clinics.",
        "The state withdrew funding for rural clinics.",
    ),
    (
        "The museum returned the bronze statues.",
        "The museum bought the bronze statues.",
    ),
    (
        "The teachers' union endorsed the pay deal.",
        "The teachers' union denounced the pay deal.",
    ),
    (
        "The border crossing was crowded on Monday morning.",
        "The border crossing was deserted on Monday morning.",
    ),
    (
        "The new trains are cleaner than the old fleet.",
        "The new trains are noisier than the old fleet.",
    ),
    (
        "The minister praised the police response to the riots.",
        "The minister criticised the police response to the riots.",
    ),
    (
        "The referee allowed the late goal.",
        "The referee disallowed the late goal.",
    ),
    (
        "The airport reopened the northern runway.",
        "The airport closed the northern runway.",
    ),
    (
        "The province imposed a curfew on the capital.",
        "The province lifted the curfew on the capital.",
    ),
    (
        "The army captured the hilltop town.",
        "The army abandoned the hilltop town.",
    ),
    (
        "Prosecutors charged the bank's former director.",
        "Prosecutors cleared the bank's former director.",
    ),
    (
        "The board approved the stadium's expansion.",
        "The board postponed the stadium's expansion.",
    ),
    (
        "The wildfire spared the village.",
        "The wildfire destroyed the village.",
    ),
    (
        "The government expelled the foreign diplomats.",
        "The government accredited the foreign diplomats.",
    ),
    (
        "The union called off the rail strike.",
        "The union extended the rail strike.",
    ),
    (
        "The regulator turned down the airline's request.",
        "The regulator granted the airline's request.",
    ),
    (
        "The senator stepped down from the ethics committee.",
        "The senator stayed on the ethics committee.",
    ),
    (
        "The zoo welcomed two panda cubs.",
        "The zoo lost two panda cubs.",
    ),
    (
        "The landlord raised the rent for the bakery.",
        "The landlord froze the rent for the bakery.",
    ),
]

# The same predicate said with another word that WordNet relates to it (a shared synset,
# a hypernym within two levels, a verb group, a similar adjective, a derivation), a
# phrasal verb ("stepped down", "called off") or a passive: not flagged.
SAME_PREDICATES = [
    (
        "The prime minister resigned on Friday.",
        "The prime minister stepped down on Friday.",
    ),
    (
        "The carmaker shut down its plant in Ohio.",
        "The carmaker closed its plant in Ohio.",
    ),
    (
        "The airline called off 40 flights.",
        "The airline cancelled 40 flights.",
    ),
    (
        "The mayor turned down the offer.",
        "The mayor rejected the offer.",
    ),
    (
        "Troops seized the airport.",
        "Troops captured the airport.",
    ),
    (
        "The company axed 500 jobs.",
        "The company cut 500 jobs.",
    ),
    (
        "Unemployment climbed in March.",
        "Unemployment rose in March.",
    ),
    (
        "The club sacked its manager.",
        "The club dismissed its manager.",
    ),
    (
        "The ministry banned the pesticide.",
        "The ministry prohibited the pesticide.",
    ),
    (
        "The regulator fined the bank.",
        "The bank was fined by the regulator.",
    ),
    (
        "The protesters blocked the motorway.",
        "The motorway was blocked by protesters.",
    ),
    (
        "The court jailed the former mayor.",
        "The court imprisoned the former mayor.",
    ),
    (
        "The firm purchased the warehouse.",
        "The firm bought the warehouse.",
    ),
    (
        "The rebels freed the hostages.",
        "The rebels released the hostages.",
    ),
    (
        "The storm wrecked the pier.",
        "The storm destroyed the pier.",
    ),
    (
        "The festival began on Friday.",
        "The festival started on Friday.",
    ),
    (
        "The talks ended without a deal.",
        "The talks finished without a deal.",
    ),
    (
        "Ticket sales soared after the final.",
        "Ticket sales surged after the final.",
    ),
    (
        "The factory resumed production in May.",
        "The factory restarted production in May.",
    ),
    (
        "The streets were empty during the curfew.",
        "The streets were deserted during the curfew.",
    ),
    (
        "The exam is mandatory for all nurses.",
        "The exam is compulsory for all nurses.",
    ),
    (
        "The new bridge is bigger than the old one.",
        "The new bridge is larger than the old one.",
    ),
    (
        "The senator quit the party.",
        "The senator left the party.",
    ),
    (
        "The city expanded its tram network.",
        "The city extended its tram network.",
    ),
    (
        "The government raised the minimum wage.",
        "The government increased the minimum wage.",
    ),
    (
        "The council approved the plan.",
        "The council endorsed the plan.",
    ),
    (
        "The drought killed the cattle.",
        "The cattle were killed by the drought.",
    ),
    (
        "Rescuers found the missing hikers.",
        "Rescuers located the missing hikers.",
    ),
    (
        "The school shut its gates.",
        "The school closed its gates.",
    ),
    (
        "The opposition won the election.",
        "The election was won by the opposition.",
    ),
    (
        "Protesters torched the police station.",
        "Protesters set fire to the police station.",
    ),
    (
        "The president pardoned the journalist.",
        "The journalist was pardoned by the president.",
    ),
    (
        "The club signed the Brazilian winger.",
        "The Brazilian winger joined the club.",
    ),
    (
        "The company took over its rival.",
        "The company acquired its rival.",
    ),
    (
        "The army pulled out of the town.",
        "The army withdrew from the town.",
    ),
    (
        "The regulator cracked down on payday lenders.",
        "The regulator clamped down on payday lenders.",
    ),
    (
        "The government set up a flood relief fund.",
        "The government established a flood relief fund.",
    ),
    (
        "The party kicked out the councillor.",
        "The party expelled the councillor.",
    ),
    (
        "The city council hired 300 teachers.",
        "The city council took on 300 new teachers.",
    ),
    (
        "The hospital hired 2,000 staff last year.",
        "Last year the hospital took on 2,000 new employees.",
    ),
]


def _both_ways(pairs):
    for kind, a, b in pairs:
        yield pytest.param(kind, a, b, id=f"{kind}: {a[:40]}")
        yield pytest.param(kind, b, a, id=f"{kind}: {b[:40]}")


@pytest.mark.parametrize("kind, a, b", list(_both_ways(DIFFERENT)))
def test_a_difference_in_direction_is_found(kind, a, b):
    found = direction_difference(a, b)
    assert isinstance(found, Difference), (a, b)
    assert found.kind == kind, found
    assert found.detail


@pytest.mark.parametrize("kind, a, b", list(_both_ways(SAME)))
def test_the_same_claim_said_otherwise_is_not_flagged(kind, a, b):
    assert direction_difference(a, b) is None


@pytest.mark.parametrize("a, b, kind", KNOWN_GAPS)
def test_known_gaps(a, b, kind):
    found = direction_difference(a, b)
    assert (found.kind if found else None) == kind, found


@pytest.mark.parametrize("a, b", OPPOSED_PREDICATES)
def test_opposed_predicates_are_held_apart(a, b):
    for x, y in ((a, b), (b, a)):
        found = direction_difference(x, y)
        assert found is not None and found.kind in ("antonym", "predicate"), (x, y, found)


@pytest.mark.parametrize("a, b", SAME_PREDICATES)
def test_the_same_predicate_said_otherwise_passes(a, b):
    assert direction_difference(a, b) is None
    assert direction_difference(b, a) is None


def test_enough_of_each_table():
    assert len(OPPOSED_PREDICATES) >= 40 and len(SAME_PREDICATES) >= 40


def test_phrasal_verbs_and_predicates_are_read():
    reading = direction._read("The city council took on 2,000 teachers.")
    assert [p.lemmas for p in direction._predicates(reading)] == [frozenset({"take on"})]
    reading = direction._read("Hospital wards were busier than last year.")
    assert [(p.kind, p.lemmas) for p in direction._predicates(reading)] == [
        ("a", frozenset({"busy"}))
    ]
    # a noun after a determiner or a number is no predicate; nor a reporting verb
    reading = direction._read("The minister said 300 nurses left the new hospital.")
    assert [p.text for p in direction._predicates(reading)] == ["left"]
    assert direction_difference(
        "The city council took on 2,000 teachers.", "The city council laid off 2,000 teachers."
    ) == Difference("predicate", "take on ≠ lay off (no shared meaning)")
    # one text adding a verb that the other lacks is no difference
    assert (
        direction_difference(
            "The council approved the plan.", "The council approved the plan and thanked staff."
        )
        is None
    )


def test_identical_and_empty_texts():
    text = "The port handled 2 million containers in 2023."
    assert direction_difference(text, text) is None
    assert direction_difference("", text) is None


def test_details_name_what_differs():
    assert direction_difference("Acme bought the plant.", "Acme sold the plant.") == Difference(
        "antonym", "buy ≠ sell"
    )
    assert direction_difference(
        "The school reopened in 2022.", "The school reopened in 2012."
    ) == Difference("date", "2022 ≠ 2012")
    found = direction_difference("The talks were held in Paris.", "The talks were held in Berlin.")
    assert found == Difference("place", "Paris ≠ Berlin")


def test_a_converse_keeps_the_same_roles_apart_from_an_antonym():
    # the same two words with the roles kept: a difference; swapped: the same claim
    assert direction_difference(
        "Acme sold the plant to Borealis.", "Acme bought the plant from Borealis."
    ) == Difference("antonym", "sell ≠ buy")
    assert (
        direction_difference(
            "Acme sold the plant to Borealis.", "Borealis bought the plant from Acme."
        )
        is None
    )


def test_a_negation_elsewhere_in_a_longer_text_is_not_a_denial():
    a = "The ministry says the new port will open in June. Critics are not convinced."
    b = "The new port will open in June, the ministry said."
    assert direction_difference(a, b) is None


def test_numbers_in_names_are_not_quantities():
    assert direction_difference("The F-35 order was cut.", "The F-16 order was cut.") is None
    found = direction_difference("The order for 35 jets was cut.", "The order for 16 jets was cut.")
    assert found == Difference("number", "35 ≠ 16")


def test_fast_and_without_a_model():
    pairs = [(a, b) for _kind, a, b in DIFFERENT + SAME]
    for a, b in pairs:  # load the data files and the gazetteer once
        direction_difference(a, b)
    direction._read.cache_clear()
    start = time.perf_counter()
    for a, b in pairs:
        direction_difference(a, b)
    per_pair = (time.perf_counter() - start) / len(pairs)
    assert per_pair < 0.005, f"{per_pair * 1000:.2f} ms per pair"
    assert "nltk" not in sys.modules
    assert "torch" not in sys.modules


# --------------------------------------------------------------------------- data files

DATA_FILES = [
    "antonyms.tsv",
    "negative_verbs.tsv",
    "inflections.tsv",
    "lexicon.tsv",
    "senses.tsv",
    "sense_links.tsv",
]


@pytest.mark.parametrize("name", DATA_FILES + ["LICENSE-WordNet.txt"])
def test_every_data_file_says_what_it_is_where_from_and_under_what_licence(name):
    path = direction.DATA_DIR / name
    header = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            header.append(line)
    text = "".join(header)
    assert len(header) >= 4, f"{name} has no header"
    assert "Princeton WordNet 3.0" in text and "wordnet-base" in text
    assert "Licence:" in text
    assert "python -m apps.claims.nlp.build_lexical_data" in text
    # senses.tsv holds every common verb and adjective with all its senses
    assert path.stat().st_size < (600_000 if name == "senses.tsv" else 450_000)


def test_the_licence_travels_with_the_data():
    text = (direction.DATA_DIR / "LICENSE-WordNet.txt").read_text(encoding="utf-8")
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in text
    assert "Permission to use, copy, modify and distribute" in text


def test_the_data_holds_what_the_reader_relies_on():
    antonyms = direction._antonyms()
    assert "sell" in antonyms["buy"] and "buy" in antonyms["sell"]
    assert "decrease" in antonyms["increase"]
    assert "sell" in direction._lemmas("sold")
    assert "high" in direction._lemmas("higher")
    assert "oppose" in direction._negative_verbs()


# --------------------------------------------------------------------------- the builder

_DATA = {
    # a toy WordNet in the format of Debian's wordnet-base (wndb(5WN))
    "data.verb": [
        "00000100 30 v 01 increase 0 002 ! 00000200 v 0101 ~ 00000300 v 0000 | become bigger",
        "00000200 30 v 01 decrease 0 002 ! 00000100 v 0101 ~ 00000400 v 0000 | become smaller",
        "00000300 30 v 01 raise 0 001 @ 00000100 v 0000 | increase the amount of",
        "00000400 30 v 02 cut 0 reduce 0 001 @ 00000200 v 0000 | make a reduction in",
        "00000500 30 v 01 oppose 0 000 | be against; express opposition to",
    ],
    "data.adj": [
        "00000100 00 a 01 busy 0 002 ! 00000200 a 0101 & 00000300 a 0000 | fully engaged",
        "00000200 00 a 01 idle 0 001 ! 00000100 a 0101 | not in action",
        "00000300 00 s 02 engaged 0 occupied 0 001 & 00000100 a 0000 | involved in activity",
    ],
    "data.noun": [],
    "data.adv": [],
    "index.verb": [
        "increase v 1 2 ! ~ 1 1 00000100",
        "decrease v 1 2 ! ~ 1 1 00000200",
        "raise v 1 1 @ 1 1 00000300",
        "cut v 1 1 @ 1 1 00000400",
        "reduce v 1 1 @ 1 1 00000400",
        "oppose v 1 0 1 1 00000500",
    ],
    "index.adj": [
        "busy a 1 2 ! & 1 1 00000100",
        "idle a 1 1 ! 1 1 00000200",
        "engaged a 1 1 & 1 1 00000300",
        "occupied a 1 1 & 1 1 00000300",
    ],
    "index.noun": [],
    "index.adv": [],
    "verb.exc": ["raised raise"],
    "adj.exc": ["busier busy"],
    "noun.exc": [],
    "adv.exc": [],
}
_LICENCE_LINES = [
    "  1 This software and database is being provided to you, the LICENSEE, by  ",
    "  2 WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.  ",
]


def test_the_builder_reads_wordnet_and_writes_the_data(tmp_path: Path):
    root = tmp_path / "wordnet"
    root.mkdir()
    for name, lines in _DATA.items():
        head = _LICENCE_LINES if name.startswith("data.") else []
        (root / name).write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    out = tmp_path / "data"
    counts = build_lexical_data.write(str(root), out)
    assert counts["antonyms"] > 0
    rows = set()
    for line in (out / "antonyms.tsv").read_text().splitlines():
        if not line.startswith("#"):
            lemma, _pos, _how, opposed = line.split("\t")
            rows |= {(lemma, other) for other in opposed.split(",")}
    assert ("decrease", "increase") in rows  # WordNet's own pair
    assert ("cut", "increase") in rows and ("raise", "reduce") in rows  # manners of them
    assert ("engaged", "idle") in rows  # a satellite against the opposed head
    assert ("engaged", "occupied") not in rows
    negative = (out / "negative_verbs.tsv").read_text()
    assert "oppose\tbe against" in negative
    assert "raised\traise\tv" in (out / "inflections.tsv").read_text()
    licence = (out / "LICENSE-WordNet.txt").read_text()
    assert "Copyright 2006 by Princeton University" in licence
    for name in DATA_FILES:
        assert (out / name).read_text().startswith("# ")
