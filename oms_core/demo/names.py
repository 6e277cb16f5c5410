"""Word lists for synthetic people, companies and email addresses.

Prebuilt tuples rather than a fake-data library: choosing from a tuple with ``random.Random`` costs well
under a microsecond, which is what makes a million customers in seconds possible.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = tuple(
    """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
    Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony
    Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth
    Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca
    Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley
    Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott Nicole Brandon Helen Benjamin Samantha
    Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack
    Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia Nathan Joyce
    Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan Walter Evelyn
    Noah Judith Jeremy Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline Gerald Martha
    Harold Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison Lawrence Frances Dylan Kathryn Jesse
    Janice Jordan Jean Bryan Abigail Billy Alice Joe Julia Bruce Judy Gabriel Sophia Logan Grace Albert
    Denise Willie Amber Alan Doris Juan Marilyn Wayne Danielle Elijah Beverly Randy Isabella Roy Theresa
    Vincent Diana Ralph Natalie Eugene Brittany Russell Charlotte Bobby Marie Mason Kayla Philip Alexis
    Louis Lori Miguel Rosa Carlos Ana Luis Sofia Hiroshi Yuki Wei Mei Raj Priya Ahmed Fatima Omar
    Leila Kwame Amara Sven Ingrid Giovanni Chiara Pierre Camille Diego Lucia Mateo Valentina Ivan Elena
    Aiden Chloe Liam Zoe Owen Nora Caleb Stella Isaac Hazel Levi Violet Julian Aurora Lucas
    Penelope""".split()
)

LAST_NAMES: tuple[str, ...] = tuple(
    """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
    Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
    Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
    Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
    Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
    Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
    Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez
    Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez
    Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole
    Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens
    Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker
    Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz
    Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice
    Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley
    Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham
    Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman
    Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Guerrero George Chapman
    Rios Estrada Ortega Watkins Greene Nunez Wheeler Valdez Harper Burke Larson Santiago Maldonado
    Morrison Franklin Carlson Austin Dominguez Carr Lawson Jacobs Obrien Lynch Singh Vega Bishop
    Montgomery Oliver Jensen Harvey Williamson Gilbert Dean Sims Espinoza Howell Li Wong Reid Hanson
    Le McCoy Garrett Burton Fuller Wang Weber Welch Rojas Lucas Marquez Fields Park Yang Little Banks
    Padilla Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer May Holland Juarez Newman
    Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa Keller Avila Wade Molina
    Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig Ayala Lowe
    Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz Norris Jennings
    Watts Duran Walters Cohen McDaniel Moran Parks Steele Vaughn Becker Holt Deleon Barker Terry Hale
    Leon Benson Haynes Horton Miles Lyons Pham Graves Bush Thornton Wolfe Warner Cabrera McKinney
    Mann Zimmerman Dawson Lara Fletcher Page McCarthy Love Robles Cervantes Solis Erickson Reeves Chang
    Klein Salinas Fuentes Baldwin Daniel Simon Velasquez Hardy Higgins Aguirre Lin Cummings Chandler
    Sharp Barber Bowen Ochoa Dennis Robbins Liu Ramsey Francis Griffith Paul Blair Oconnor Cardenas
    Pacheco Cross Calderon Quinn Moss Swanson Chan Rivas Khan Rodgers Serrano Fitzgerald Rosales
    Stevenson Christensen Manning Gill Curry McLaughlin Harmon McGee Gross Doyle Garner Newton Burgess
    Reese Walton Blake Trujillo Adkins Brady Goodman Roman Webster Goodwin Fischer Huang Potter Delacruz
    Montoya Todd Wu Hines Mullins Castaneda Malone Cannon Tate Mack Sherman Hubbard Hodges Zhang Guerra
    Wolf Valencia Saunders Franco Rowe Gallagher Farmer Hammond Hampton Townsend Ingram Wise Gallegos
    Clarke Barton Schroeder Maxwell Waters Logan Camacho Strickland Norman Person Colon Parsons Frank
    Harrington Glover Osborne Buchanan Casey Floyd Patton Ibarra Ball Tyler Suarez Bowers Orozco Salas
    Cobb Gibbs Andrade Bauer Conner Moody Escobar McGuire Lloyd Mueller Hartman French Kramer McBride
    Pope Lindsey Velazquez Norton McCormick Sparks Flynn Yates Hogan Marsh Macias Villanueva Zamora
    Pratt Stokes Owen Ballard Lang Brock Villarreal Charles Drake Barrera Cain Patrick Pineda Burnett
    Mercado Santana Shepherd Bautista Ali Shaffer Lamb Trevino McKenzie Hess Olsen Cochran Morton
    Nash Wilkins Petersen Briggs Shah Roth Nicholson Holloway Lozano Rangel Flowers Hoover Short Arias
    Mora Valenzuela Bryan Meyers Weiss Underwood Bass Greer Summers Houston Carson Morrow Clayton
    Whitaker Decker Yoder Collier Zuniga Carey Wilcox Melendez Poole Roberson Larsen Conley Davenport
    Copeland Massey Lam Huff Rocha Cameron Jefferson Hood Monroe Anthony Pittman Huynh Randall Singleton
    Kirk Combs Mathis Christian Skinner Bradford Richard Galvan Wall Boone Kirby Wilkinson Bridges Bruce
    Atkinson Velez Meza Roy Vincent York Hodge Villa Abbott Allison Tapia Gates Chase Sosa Sweeney Farrell
    Wyatt Dalton Horn Barron Phelps Yu Dickerson Heath Foley Atkins Mathews Bonilla Acevedo Benitez
    Zavala Hensley Glenn Cisneros Harrell Shields Rubio Huffman Choi Boyer Garrison Arroyo Bond Kane
    Hancock Callahan Dillon Cline Wiggins Grimes Arellano Melton Oneill Savage Ho Beltran Pitts Parrish
    Ponce Rich Booth Koch Golden Ware Brennan McDowell Marks Cantu Humphrey Baxter Sawyer Clay Tanner
    Hutchinson Kaur Berg Wiley Gilmore Russo Villegas Hobbs Keith Wilkerson Ahmed Beard McClain Montes
    Mata Rosario Vang Walter Henson Oneal Mosley McClure Beasley Stephenson Snow Huerta Preston Vance
    Barry Johns Eaton Blackwell Dyer Prince MacDonald Solomon Guevara Stafford English Hurst Woodard
    Cortes Shannon Kemp Nolan McCullough Merritt Murillo Moon Salgado Strong Kline Cordova Barajas
    Roach Rosas Winters Jacobson Lester Knox Bullock Kerr Leach Meadows Orr Davila Whitehead Pruitt
    Kent Conway McKee Barr David Dejesus Marin Berger McIntyre Blankenship Gaines Palacios Cuevas
    Bartlett Durham Dorsey McCall Odonnell Stein Browning Stout Lowery Sloan McLean Hendricks Calhoun
    Sexton Chung Gentry Hull Duarte Ellison Nielsen Gillespie Buck Middleton Sellers Leblanc Esparza
    Hardin Bradshaw McIntosh Howe Livingston Frost Glass Morse Knapp Herman Stark Bravo Noble Spears
    Weeks Corona Frederick Buckley McFarland Hebert Enriquez Hickman Quintero Randolph Schaefer Walls
    Trejo House Reilly Pennington Michael Conrad Giles Benjamin Crosby Fitzpatrick Donovan Mays Mahoney
    Valentine Raymond Medrano Hahn McMillan Small Bentley Felix Peck Lucero Boyle Hanna Pace Rush Hurley
    Harding McConnell Bernal Nava Ayers Everett Ventura Avery Pugh Mayer Bender Shepard McMahon Landry
    Case Sampson Moses Magana Blackburn Dunlap Gould Duffy Vaughan Herring McKay Espinosa Rivers Farley
    Bernard Ashley Friedman Potts Truong Costa Correa Blevins Nixon Clements Fry Delarosa Best Benton
    Lugo Portillo Dougherty Crane Haley Phan Villalobos Blanchard Horne Finley Quintana Lynn Esquivel
    Bean Dodson Mullen Xiong Hayden Cano Levy Huber Richmond Moyer Lim Frye Sheppard McCarty Avalos
    Booker Waller Parra Woodward Jaramillo Krueger Rasmussen Brandt Peralta Donaldson Stuart Faulkner
    Maynard Galindo Coffey Estes Sanford Burch Maddox Vo Oconnell Vu Andersen Spence McPherson Church
    Schmitt Stanton Leal Cherry Compton Dudley Sierra Pollard Alfaro Hester Proctor Lu Hinton Novak Good
    Madden McCann Terrell Jarvis Dickson Reyna Cantrell Mayo Branch Hendrix Rollins Rowland Whitney Duke
    Odom Daugherty Travis Tang Archer""".split()
)

# Wholesale customers are restaurants, shops, hotels and caterers: "<Word> <Word> <Kind>".
COMPANY_WORDS: tuple[str, ...] = tuple(
    """Blue Oak Red Barn Silver Fern Golden Gate Copper Kettle Iron Horse Stone Bridge Harbor Light
    Willow Creek Maple Leaf Cedar Hill Olive Branch Vine Street Corner Market Riverbend Lakeside
    Highland Summit Meadowlark Sunrise Twin Pines Old Town Union Square Fox Run Bramble Juniper
    Magnolia Sparrow Lantern Anchor Compass Crescent Evergreen Foxglove Heron Ivy Keystone Larkspur
    Marigold Northstar Orchard Pinecone Quarry Rosewood Saltbox Thistle Wren Yellowbird""".split()
)
COMPANY_KINDS: tuple[str, ...] = (
    "Bistro",
    "Wine Bar",
    "Wine Shop",
    "Wine & Spirits",
    "Trattoria",
    "Kitchen",
    "Tavern",
    "Grill",
    "Hotel",
    "Inn",
    "Catering",
    "Events",
    "Supper Club",
    "Cafe",
    "Market",
    "Provisions",
    "Bottle Shop",
    "Steakhouse",
    "Oyster Bar",
    "Country Club",
)
COMPANY_SUFFIXES: tuple[str, ...] = ("", "", "", "", " LLC", " Inc.", " Co.")

# Reserved example domains (RFC 2606): no seeded address can ever reach a real mailbox.
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org", "mail.example.com")
