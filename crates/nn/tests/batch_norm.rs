//! `BatchNorm1d` against torch 2.15's `nn.BatchNorm1d` (float64, printed by
//! `scripts/torch_batchnorm_reference.py`): training output and gradients, running
//! statistics after one and three batches, evaluation output and gradients, for `[N, C]` and
//! `[N, C, L]` inputs, with and without γ and β, momentum 0.1, 0.3 and `None`, and without
//! running statistics. Then central differences through the training forward pass, a
//! property test of the normalization, the state dict (names, order, strict and atomic
//! loading, safetensors round trip), and the errors.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use wengert_nn::io::{from_safetensors, load_safetensors, save_safetensors, to_safetensors};
use wengert_nn::{
    BatchNorm1d, Linear, Module, Optimizer, ReLU, SaveLoad, Sequential, Sgd, StateDict, TapeParams,
};
use wengert_tape::gradcheck::{gradcheck, CheckOptions};
use wengert_tape::{func_many, Error, Tape, Tensor};

/// Per case: y, ∂x, ∂weight, ∂bias (training, batch 1); running_mean, running_var after batch
/// 1; the same after batch 3; num_batches_tracked; y, ∂x, ∂weight, ∂bias (evaluation, batch
/// 1). Empty where the layer has no such tensor. torch 2.15.0+cu132.
#[rustfmt::skip]
const TORCH: &[(&str, [&[f64]; 13])] = &[
    ("nc", [&[-0.27142830903934667, 0.9706169136798857, -0.14285661807869343, -0.9857113994328135, 0.07843615227998088, -1.571422798865627, 0.15714154519673337, -0.8137446091199239, 0.7142830903934667, -0.5571415451967334, 0.6137446091199238, -0.7142830903934668, 0.5857113994328135, -0.278436152279981, 1.5714227988656269, -0.12857169096065332, -1.1706169136798859, 0.1428566180786932], &[-0.14577151306900438, -0.45956173656145083, 2.9329332754864597, -0.46063369912950153, -0.6565111176701799, -1.4518958362205794, 1.157427419581102, -0.8534604987789088, -1.8075707503498946, 0.8425652335206051, 0.8534604987789088, -0.19242190275181248, -0.5393626274213518, 0.6565111176701799, -0.5480968168811274, -0.8542248134818491, 0.45956173656145083, 1.0670520307169546], &[-7.285687522013362, -6.899531221492596, 3.714272070046028], &[1.0, 3.0, -2.0], &[-0.016666666666666673, 0.0625, 0.1416666666666667], &[1.0633333333333335, 1.1355555555555554, 1.0633333333333335], &[-0.05294444444444446, 0.23381944444444447, 0.3761388888888889], &[1.2014851851851853, 1.2209851851851852, 1.2014851851851853], &[3.0], &[-0.32789977679863447, 1.522993042880263, 0.7972258922742701, -1.0881520660712782, 0.39175751216477744, -0.7232786862710178, 0.12825159676495185, -0.739478018550708, 1.7095286394014426, -0.632000692507692, 1.0704988305940688, 0.18902406085615503, 0.5844029703285382, -0.06073670012141673, 2.621831386528615, -0.1758493189441057, -1.1919722308369023, 1.1013268079833276], &[0.0, -1.3574826368585826, 2.736908241381518, 0.4561513735635863, -0.6787413184292913, -2.736908241381518, 0.9123027471271726, 0.0, -1.8246054942543453, 1.368454120690759, 0.6787413184292913, -0.9123027471271726, -1.368454120690759, 1.3574826368585826, 0.0, -0.9123027471271726, 2.036223955287874, 0.9123027471271726], &[-7.858322446323707, -7.6861798134463655, 2.0547592039601503], &[1.0, 3.0, -2.0]]),
    ("ncl", [&[-0.3174555363563411, 0.7016439702648537, -0.07563531444622708, -1.008370456099524, 0.010729050521670775, -1.1289476263461382, 0.23209420744504974, -0.9928434429670193, 0.6131859209065825, -0.8567392595879006, 0.9335914774538403, -0.4043580921456123, 1.0822525407426689, -0.2556970288567842, 1.4985035179513873, -0.1792725524077045, -0.9565518371187852, 0.06254766950240946, -0.8701874721508874, 0.14891203447030735, -0.911180932939548, 0.44986090085163993, -0.7750767495604293, 0.8309526143131724, -0.6389725661813105, 1.1714491787159658, -0.1665003908834873, 1.3201102420047937, -0.017839327594659282, -1.355788897194112, -0.04108956845906794, -0.8183688531701487, 0.20073065345104607, -0.7320044882022508, 0.2870950184189439, -0.693414239532958, 0.6676275942582299, -0.5573100561538392, 1.048719307719763, -0.4212058727747204, 1.4093068799780903, 0.07135731037863757, -1.5341821731407057, 0.2200183736674656, -1.1179311959319873, 0.09709341548956862, -0.680185869221512, 0.33891363739968267, -0.5938215042536142, 0.42527800236758045, -0.4756475461263679, 0.8853942876648203, -0.3395433627472491, 1.2664860011263528, -0.20343917936813033, -1.444985535167409, 0.3092150116407625, -1.296324471878581, 0.4578760749295905, -0.8800734946698622], &[-0.04356559534326107, -0.4946678923803153, 1.2897751329600056, 0.11471514860111286, -0.3363871484359413, -1.8780039960944341, 1.150545007388224, 0.05810110480325731, -1.529281704823391, 1.9942062057009486, 0.9298932125841085, -0.7561340590771338, -1.8956346398848918, 1.4133498149584898, 0.32562544696843065, -0.8214098574547735, 0.9630331678855475, 0.5119308708484933, -0.6631291135103995, -1.1142314105474536, 1.3504241813858262, -0.19412737666990765, -1.286571279254874, 1.699146472656869, 0.6495338216428173, -0.4512296947062424, -2.137256966367485, 1.718254179329381, 0.032226907668138856, -1.6538003639931036, 1.3025885433550823, 0.18518890577403518, -0.265913391263019, -1.4409733756219119, 1.0097669902624022, 0.005751797327694773, -1.5387997607280388, 1.941856898225386, 0.3544740885987374, -0.6951385624153141, -1.8323526019965934, 1.4766318528467879, -0.2611716316321529, -1.348895999622212, 1.9600884552211693, 0.5247442812435701, -0.592655356337477, -1.0437576533745314, 0.6830250251879441, 0.2319227281508899, -1.3389205867304368, 1.689628416752221, 0.5971845141672547, -0.9901982954593939, -2.0398109464734455, 1.1832333135464963, 0.09550894555643707, -1.6422945389225039, 2.264992819592061, 0.5789655479308184], &[-8.94734821067422, 4.01416604846148, -5.423155588776451], &[0.0, 3.0, -1.0], &[-0.015000000000000008, 0.19749999999999998, 0.345], &[1.1590789473684209, 1.1158771929824562, 1.3198684210526315], &[0.08864999999999999, 0.31352499999999994, 0.8770499999999999], &[1.4301460526315788, 1.4373675438596494, 1.370152192982456], &[3.0], &[-0.37636943522761523, 0.6510997261165629, -0.1325631935527255, -1.0729586971558716, -0.04548953581169346, -0.8693059772201992, 0.4335160376761909, -0.7390237757305601, 0.7983062018471803, -0.6087415742409211, 1.3504137838749901, -0.2508336278890451, 1.5283301629598833, -0.07291724880415228, 2.026496024397583, -0.23705158284196395, -1.0207145025112523, 0.006754658832925741, -0.9336408447702204, 0.0938283165739578, -0.6608544548367766, 0.6419675600596134, -0.5305722533471378, 1.0067577242306025, -0.40029005185749866, 1.635079990410819, 0.033832578646783414, 1.8129963694957116, 0.21174895773167618, -1.3894984540323594, -0.09773373045631269, -0.8813966501256011, 0.14607251121857703, -0.794322992384569, 0.2331461689596091, -0.4524029324533543, 0.8504190824430358, -0.32212073096371524, 1.2152092466140252, -0.19183852947407626, 1.9197461969466474, 0.3184987851826119, -1.6029981089342307, 0.49641516426750465, -1.1048322474965309, 0.04158412192933857, -0.7420787977399498, 0.2853903636042283, -0.6550051399989177, 0.37246402134526035, -0.24395141006993185, 1.0588706048264585, -0.11366920858029285, 1.4236607689974474, 0.016612992909346147, -1.496248281483295, 0.6031649917184403, -1.3183319023984021, 0.7810813708033331, -0.8201660409607021], &[0.0, -0.8359071143139076, 1.2538606714708616, 0.4179535571569538, -0.4179535571569538, -1.8760637014508017, 1.2507091343005345, 0.0, -1.2507091343005345, 1.8760637014508017, 0.8539986196074856, -0.8539986196074856, -2.5619958588224567, 1.7079972392149712, 0.0, -0.8359071143139076, 1.2538606714708616, 0.4179535571569538, -0.4179535571569538, -1.2538606714708616, 1.2507091343005345, 0.0, -1.2507091343005345, 1.8760637014508017, 0.6253545671502673, -0.8539986196074856, -2.5619958588224567, 1.7079972392149712, 0.0, -1.7079972392149712, 1.2538606714708616, 0.4179535571569538, -0.4179535571569538, -1.2538606714708616, 0.8359071143139076, 0.0, -1.2507091343005345, 1.8760637014508017, 0.6253545671502673, -0.6253545671502673, -2.5619958588224567, 1.7079972392149712, 0.0, -1.7079972392149712, 2.5619958588224567, 0.4179535571569538, -0.4179535571569538, -1.2538606714708616, 0.8359071143139076, 0.0, -1.2507091343005345, 1.8760637014508017, 0.6253545671502673, -0.6253545671502673, -1.8760637014508017, 1.7079972392149712, 0.0, -1.7079972392149712, 2.5619958588224567, 0.8539986196074856], &[-9.020830941970921, 4.704966260100307, -6.723488432238754], &[0.0, 3.0, -1.0]]),
    ("nc_no_affine", [&[-0.1428566180786933, 1.4274892182398475, -0.14285661807869343, -1.5714227988656269, 0.23791486970664122, -1.571422798865627, 0.7142830903934668, -0.951659478826565, 0.7142830903934667, -0.7142830903934667, 0.951659478826565, -0.7142830903934668, 1.571422798865627, -0.23791486970664122, 1.5714227988656269, 0.1428566180786934, -1.4274892182398475, 0.1428566180786932], &[-0.29154302613800875, -0.6127489820819344, 2.9329332754864597, -0.9212673982590031, -0.8753481568935733, -1.4518958362205794, 2.314854839162204, -1.1379473317052118, -1.8075707503498946, 1.6851304670412102, 1.1379473317052118, -0.19242190275181248, -1.0787252548427035, 0.8753481568935733, -0.5480968168811274, -1.7084496269636982, 0.6127489820819344, 1.0670520307169546], &[], &[], &[-0.016666666666666673, 0.0625, 0.1416666666666667], &[1.0633333333333335, 1.1355555555555554, 1.0633333333333335], &[-0.05294444444444446, 0.23381944444444447, 0.3761388888888889], &[1.2014851851851853, 1.2209851851851852, 1.2014851851851853], &[3.0], &[-0.25579955359726886, 2.1639907238403504, 0.7972258922742701, -1.7763041321425566, 0.6556766828863699, -0.7232786862710178, 0.6565031935299037, -0.8526373580676105, 1.7095286394014426, -0.8640013850153839, 1.5606651074587583, 0.18902406085615503, 1.5688059406570765, 0.052351066504777735, 2.621831386528615, 0.048301362111788655, -1.4559629744492029, 1.1013268079833276], &[0.0, -1.8099768491447767, 2.736908241381518, 0.9123027471271726, -0.9049884245723884, -2.736908241381518, 1.8246054942543453, 0.0, -1.8246054942543453, 2.736908241381518, 0.9049884245723884, -0.9123027471271726, -2.736908241381518, 1.8099768491447767, 0.0, -1.8246054942543453, 2.7149652737171652, 0.9123027471271726], &[], &[]]),
    ("ncl_no_affine", [&[-0.5894011221496324, 1.2170750444388512, -0.1607457605862634, -1.8141307266164008, 0.8324107591462654, -0.870247611834732, 1.0215950225885984, -0.6810633483923988, 0.9106037682714323, -1.1171324579824784, 1.0983571225542015, -0.5914230659907238, 0.8802744032104899, -0.4975464018146247, 1.3089297647738587, -0.34445520125627865, -1.2864529914078646, 0.9459213172116652, -1.0972687279655315, 1.1351055806539982, -1.192233799695586, 0.6852997431321088, -1.0044804454128167, 1.2110091351238632], &[-0.3238008488555775, -0.5195190452679322, 2.18300739859594, -0.4526629702079012, -0.5487844187737865, -2.6355238856764363, 2.205532367890948, 0.11879290098829856, -2.229928260976284, 2.2246863662425422, 0.478485399544453, -1.366835031209836, -1.491874276056899, 1.2106521678069735, 1.0149339713946186, -1.6207363974092228, 2.7468434366534487, 1.2854225461296942, -0.8554310283442063, -2.316851918867961, 1.3215641221457064, -0.4332144904803233, -2.2785349212346127, 2.283776815968354], &[], &[], &[0.04687500000000001, 0.0041666666666666605, 0.12395833333333334], &[1.1116443452380953, 1.0385912698412698, 1.0407118055555555], &[0.08494791666666666, 0.18045833333333333, 0.24509375000000003], &[1.167784350198413, 1.2020823412698414, 1.1812615327380953], &[3.0], &[-0.3870661674431957, 1.8878090788921098, 0.15273473846687677, -1.9293544700434029, 0.7094812114104215, -1.000661512542065, 0.8994970696273644, -0.8106456543251219, 1.8446721908016246, -0.22550561891075244, 2.0363553213305483, 0.31120714657023424, 1.4636797956770529, -0.27139454474818014, 2.0034807015871254, -0.0786085069231543, -1.4186964006193394, 0.8234907263405873, -1.2286805424023965, 1.0135065845575302, -0.3021788711223219, 1.614652434166916, -0.11049574059339816, 2.1513651996479024], &[0.0, -1.8507459631202485, 2.776118944680373, 0.9253729815601243, -0.9120761194413262, -2.7362283583239786, 1.8241522388826523, 0.0, -1.8401580530776684, 2.7602370796165028, 0.9200790265388342, -0.9200790265388342, -2.776118944680373, 1.8507459631202485, 0.0, -1.8507459631202485, 2.7362283583239786, 0.9120761194413262, -0.9120761194413262, -2.7362283583239786, 1.8401580530776684, 0.0, -1.8401580530776684, 2.7602370796165028], &[], &[]]),
    ("ncl_cumulative", [&[-0.31749552273342696, 0.7019509245124833, -0.07559297592931265, -1.008645656459468, 0.010800790786442457, -1.1293343013697883, 0.23221900732040773, -0.9931789705007686, 0.6134539337536628, -0.8570236396317491, 0.9338268757167812, -0.40446004808115354, 1.082525422805441, -0.25576150099249406, 1.4988813546536872, -0.17926549598821878, -0.9568093964300148, 0.0626370508158955, -0.8704156297142597, 0.14903081753165062, -0.9114857719793569, 0.4500675367108392, -0.7753304411103373, 0.831302463144094, -0.6391751102413177, 1.1717445510586368, -0.16654237273929842, 1.320443098147296, -0.017843825650639022, -1.3561307494485741, -0.04103546924301061, -0.8185793696848066, 0.2008670775611037, -0.7321856029690514, 0.28726084427685883, -0.6936372425889256, 0.6679160661012705, -0.5574819117199059, 1.0491509925345257, -0.4213265808508863, 1.4096622264004917, 0.07137530260255665, -1.5345690059549653, 0.22007384969121604, -1.1182130741067189, 0.09719455750219756, -0.6803493429395984, 0.3390971043063119, -0.5939555762238433, 0.42549087102206695, -0.47578871319849414, 0.8857645954917022, -0.33963338232947454, 1.2669995219249568, -0.20347805146045495, -1.4453498777017697, 0.3092929779444117, -1.2966513306131102, 0.4579915250330711, -0.8802953987648637], &[-0.043610104699706234, -0.49460847439409233, 1.2902456456830333, 0.11454994789058744, -0.33644842180379864, -1.878574462347848, 1.1509337160857014, 0.058240325923742405, -1.529950170077893, 1.995055114195333, 0.9302188076555588, -0.7563641827647497, -1.8960069699612383, 1.4136812217974104, 0.3258538222747574, -0.8216842596418892, 0.9631698604352362, 0.5121714907408502, -0.6635242070515954, -1.1145225767459814, 1.3510383165209556, -0.19427262224455444, -1.2869660124065134, 1.6996626087909101, 0.6498487758650769, -0.45122912201882914, -2.137812112439138, 1.7188162825433309, 0.032233292123022575, -1.6543496982972858, 1.3030721470652997, 0.18509570549305343, -0.2659026642013327, -1.4415983619937782, 1.0102338299612075, 0.005831978190699665, -1.5394789605748103, 1.94264676646229, 0.3544562704606542, -0.6953575624651789, -1.8326770516932172, 1.4770111400654315, -0.2613872380287123, -1.3492146375513654, 1.9604735542072833, 0.5249979921231168, -0.5929784494491295, -1.0439768191435155, 0.6831580447134105, 0.23215967501902443, -1.3393743601395558, 1.6901338182939933, 0.5974404281320342, -0.9907500678696015, -2.0405639007954344, 1.1833906099136968, 0.0955632103910438, -1.6428351677031001, 2.2656086149532038, 0.5790256245328956], &[-8.950394231752231, 4.0156745584302875, -5.424522997794299], &[0.0, 3.0, -1.0], &[-0.05000000000000003, 0.6583333333333333, 1.15], &[1.5302631578947365, 1.3862573099415207, 2.0662280701754385], &[0.09999999999999999, 0.5194444444444445, 1.3], &[1.6747076023391814, 1.5902534113060431, 1.6455653021442496], &[3.0], &[-0.3674253862002058, 0.5823917085894234, -0.1420450586230057, -1.0113691792779205, -0.061552084488291366, -0.9541118990941259, 0.2849285734795576, -0.8302078518367574, 0.631859905800189, -0.7063038045793891, 0.9029728115323927, -0.5586738258401855, 1.0653779934626797, -0.3962686439098991, 1.5201125028674818, -0.2386366275846629, -0.9630733947970919, -0.013256300007462784, -0.8825804206623776, 0.06723667412725157, -0.7558654234823364, 0.483175049091347, -0.6319613762249681, 0.8301063814119782, -0.5080573289675997, 1.1628211026208517, -0.29882553475172713, 1.325226284551138, -0.13642035282144072, -1.5980669901940192, -0.10984786896911997, -0.834284636181549, 0.11553245860808016, -0.7537916620468346, 0.19602543274279452, -0.5576189478705471, 0.6814215247031363, -0.43371490061317874, 1.0283528570237679, -0.3098108533558104, 1.4226693937093098, -0.038977243663268796, -1.792953208510363, 0.12342793826701766, -1.338218699105561, 0.018940889646422963, -0.705495877566006, 0.2443212172236231, -0.6250029034312917, 0.32481419135833745, -0.35937247225875774, 0.8796680003149259, -0.2354684250013894, 1.226599332635557, -0.11156437774402106, -1.6955100993521912, 0.22087104742518957, -1.5331049174219047, 0.383276229355476, -1.0783704080171024], &[0.0, -0.7727325516932576, 1.1590988275398864, 0.3863662758466288, -0.3863662758466288, -1.7842182805061042, 1.1894788536707361, 0.0, -1.1894788536707361, 1.7842182805061042, 0.7795448732653752, -0.7795448732653752, -2.338634619796126, 1.5590897465307505, 0.0, -0.7727325516932576, 1.1590988275398864, 0.3863662758466288, -0.3863662758466288, -1.1590988275398864, 1.1894788536707361, 0.0, -1.1894788536707361, 1.7842182805061042, 0.5947394268353681, -0.7795448732653752, -2.338634619796126, 1.5590897465307505, 0.0, -1.5590897465307505, 1.1590988275398864, 0.3863662758466288, -0.3863662758466288, -1.1590988275398864, 0.7727325516932576, 0.0, -1.1894788536707361, 1.7842182805061042, 0.5947394268353681, -0.5947394268353681, -2.338634619796126, 1.5590897465307505, 0.0, -1.5590897465307505, 2.338634619796126, 0.3863662758466288, -0.3863662758466288, -1.1590988275398864, 0.7727325516932576, 0.0, -1.1894788536707361, 1.7842182805061042, 0.5947394268353681, -0.5947394268353681, -1.7842182805061042, 1.5590897465307505, 0.0, -1.5590897465307505, 2.338634619796126, 0.7795448732653752], &[-8.339072120356406, 3.9847541597969673, -5.807609305827047], &[0.0, 3.0, -1.0]]),
    ("nc_cumulative", [&[-1.5290505815669209, 1.9464077545100869, -0.4023817319912949, -0.8956920640223409, 3.8276191224721e-17, -0.49377895837129054, 0.40238173199129496, -0.35023856349591526, 1.529050581566921, -0.2066981686205402], &[-2.8165124781667368, -0.18684695275373206, 4.483845185582032, 0.3420688951333601, -2.704005238981502, -2.196402426509637, 3.6281705313624744, -0.05174064745987601, -2.5914979997962675, 2.0929211315898852], &[], &[], &[0.4583333333333333, -0.2], &[0.3350694444444445, 2.6331597222222225], &[0.10277777777777786, 0.6], &[1.4906250000000003, 1.898900462962963], &[3.0], &[-0.35720003645019666, 1.4695108054324189, 0.12058345179528923, -1.5239371315595454, 0.29122041188296277, -1.100621261681894, 0.46185737197063625, -0.9494370224398754, 0.9396408602161221, -0.7982527831978571], &[0.0, -1.4513686967233765, 2.457172225262499, 0.7256843483616883, -0.819057408420833, -2.177053045085065, 1.638114816841666, 0.0, -1.638114816841666, 2.177053045085065], &[], &[]]),
    ("ncl_no_stats", [&[-0.5370674919153121, 0.5188784562087628, -0.03255747646447549, -1.2465229001039164, 0.5667506501230911, -1.0440143554899048, -0.1075301570851799, -0.9129126598916777, 0.5069827118197204, -0.7069827118197204, 1.4258253197833555, -0.18493968582964027, 0.3220071777449523, -0.48337532506154557, 1.0465229001039162, -0.16744252353552447, -1.4377569124175262, 0.6741349838306242], &[-0.2551944680351713, -0.09053865593058202, 1.390297413535205, -0.4348279338780613, -0.9026441742227946, -2.496964395312975, 1.020312939970118, -0.6195731140870684, -0.9758279852880525, 0.9758279852880525, 0.749462968708215, -0.8448572523819652, -0.7109409958355175, 0.6559342939182211, 0.4348279338780613, -1.390297413535205, 2.6877529626604755, 0.8072498905490446], &[-6.771178819891668, -5.125631788699861, 0.5369216685376647], &[-1.0, 3.0, 0.0], &[], &[], &[], &[], &[], &[-0.5370674919153121, 0.5188784562087628, -0.03255747646447549, -1.2465229001039164, 0.5667506501230911, -1.0440143554899048, -0.1075301570851799, -0.9129126598916777, 0.5069827118197204, -0.7069827118197204, 1.4258253197833555, -0.18493968582964027, 0.3220071777449523, -0.48337532506154557, 1.0465229001039162, -0.16744252353552447, -1.4377569124175262, 0.6741349838306242], &[-0.2551944680351713, -0.09053865593058202, 1.390297413535205, -0.4348279338780613, -0.9026441742227946, -2.496964395312975, 1.020312939970118, -0.6195731140870684, -0.9758279852880525, 0.9758279852880525, 0.749462968708215, -0.8448572523819652, -0.7109409958355175, 0.6559342939182211, 0.4348279338780613, -1.390297413535205, 2.6877529626604755, 0.8072498905490446], &[-6.771178819891668, -5.125631788699861, 0.5369216685376647], &[-1.0, 3.0, 0.0]]),
];

/// The script's `input`: x[f] = ((7f + 5s) mod 13 − 6)/3 + c/2 + (f mod 3)/8, c the channel
/// of flat index f (the same operations, so the same f64 values).
fn input(shape: &[usize], step: usize) -> Tensor<f64> {
    let inner = if shape.len() == 3 { shape[2] } else { 1 };
    Tensor::from_fn(shape, |f| {
        let c = f / inner % shape[1];
        (((7 * f + 5 * step) % 13) as f64 - 6.0) / 3.0 + c as f64 * 0.5 + (f % 3) as f64 * 0.125
    })
}

/// The script's `cotangent`: c[f] = (5f + 3) mod 7 − 3.
fn cotangent(shape: &[usize]) -> Tensor<f64> {
    Tensor::from_fn(shape, |f| ((5 * f + 3) % 7) as f64 - 3.0)
}

/// The layer of each case of the script.
fn layer(name: &str) -> (BatchNorm1d<f64>, Vec<usize>) {
    let (shape, affine, eps, momentum, track): (&[usize], bool, f64, Option<f64>, bool) = match name {
        "nc" => (&[6, 3], true, 1e-5, Some(0.1), true),
        "ncl" => (&[4, 3, 5], true, 1e-3, Some(0.3), true),
        "nc_no_affine" => (&[6, 3], false, 1e-5, Some(0.1), true),
        "ncl_no_affine" => (&[2, 3, 4], false, 1e-5, Some(0.1), true),
        "ncl_cumulative" => (&[4, 3, 5], true, 1e-5, None, true),
        "nc_cumulative" => (&[5, 2], false, 1e-5, None, true),
        "ncl_no_stats" => (&[3, 3, 2], true, 1e-5, Some(0.1), false),
        other => panic!("unknown case {other}"),
    };
    let c = shape[1];
    let mut bn = BatchNorm1d::<f64>::new(c).eps(eps).momentum(momentum);
    if affine {
        bn.weight = Some(Tensor::from_fn(&[c], |i| 0.5 + 0.25 * i as f64));
        bn.bias = Some(Tensor::from_fn(&[c], |i| 0.1 * i as f64 - 0.2));
    } else {
        bn = bn.without_affine();
    }
    if !track {
        bn = bn.without_running_stats();
    }
    (bn, shape.to_vec())
}

/// Asserts |a − b| ≤ 1e−13·max(|b|, 1) elementwise; keeps the largest |a − b| / max(|b|, 1)
/// in `worst`.
fn compare(got: &[f64], want: &[f64], what: &str, worst: &mut f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (a, b)) in got.iter().zip(want).enumerate() {
        let d = (a - b).abs() / b.abs().max(1.0);
        assert!(d <= 1e-13, "{what}[{k}]: {a} vs torch {b}");
        *worst = worst.max(d);
    }
}

/// One forward pass of batch 1 and the gradients of Σ y·c: [y, ∂x, ∂weight, ∂bias].
fn run(bn: &BatchNorm1d<f64>, shape: &[usize]) -> [Vec<f64>; 4] {
    let tape = Tape::<f64>::new();
    let p = bn.bind(&tape);
    let x = tape.var(&input(shape, 1));
    let y = bn.forward(&p, x).unwrap();
    let g = (y * tape.constant(&cotangent(shape))).sum().backward();
    let param = |name: &str| p.get(name).map(|v| g.wrt(v).data().to_vec()).unwrap_or_default();
    [y.value().data().to_vec(), g.wrt(x).data().to_vec(), param("weight"), param("bias")]
}

#[test]
fn batch_norm_follows_torch() {
    // The largest difference of the outputs and gradients, relative to max(|torch|, 1).
    let mut worst = 0.0;
    for (name, want) in TORCH {
        let (mut bn, shape) = layer(name);
        let stat = |bn: &BatchNorm1d<f64>| {
            let d = |t: Option<Tensor<f64>>| t.map(|t| t.data().to_vec()).unwrap_or_default();
            (d(bn.running_mean()), d(bn.running_var()))
        };
        let got = run(&bn, &shape);
        for (k, what) in ["y", "∂x", "∂weight", "∂bias"].into_iter().enumerate() {
            compare(&got[k], want[k], &format!("{name} training {what}"), &mut worst);
        }
        // The running statistics follow PyTorch's kernel operation for operation: equal to
        // the bit (to torch on one thread, as the script runs it).
        assert_eq!(stat(&bn), (want[4].to_vec(), want[5].to_vec()), "{name}: after batch 1");
        let tape = Tape::<f64>::new();
        let p = bn.bind(&tape);
        for step in [2, 3] {
            bn.forward(&p, tape.constant(&input(&shape, step))).unwrap();
        }
        assert_eq!(stat(&bn), (want[6].to_vec(), want[7].to_vec()), "{name}: after batch 3");
        assert_eq!(bn.num_batches_tracked().map(|k| vec![k]).unwrap_or_default(), want[8], "{name}");
        bn.set_training(false);
        let before = stat(&bn);
        let got = run(&bn, &shape);
        for (k, what) in ["y", "∂x", "∂weight", "∂bias"].into_iter().enumerate() {
            compare(&got[k], want[9 + k], &format!("{name} eval {what}"), &mut worst);
        }
        assert_eq!(stat(&bn), before, "{name}: evaluation updates nothing");
    }
    eprintln!("outputs and gradients: max |Δ|/max(|torch|, 1) = {worst:.3e}");
}

/// Central differences through the training forward pass, in x, γ and β (bound as inputs),
/// for `[N, C]` and `[N, C, L]`, with and without γ and β, through Σ y·c (and through Σ y²·c,
/// whose gradient does not vanish in the directions the normalization removes).
#[test]
fn training_forward_passes_finite_differences() {
    for shape in [vec![5, 3], vec![3, 2, 4]] {
        for affine in [true, false] {
            let c = shape[1];
            let bn = if affine {
                BatchNorm1d::<f64>::new(c).eps(1e-3)
            } else {
                BatchNorm1d::new(c).without_affine()
            };
            let x = input(&shape, 2);
            let ct = cotangent(&shape);
            let mut inputs = vec![x];
            if affine {
                inputs.push(Tensor::from_fn(&[c], |i| 0.75 + 0.5 * i as f64));
                inputs.push(Tensor::from_fn(&[c], |i| 0.3 - 0.2 * i as f64));
            }
            for squared in [false, true] {
                let (bn, ct) = (bn.clone(), ct.clone());
                let f = func_many(move |v| {
                    let y = bn.forward_with(&v[1..], v[0]).unwrap();
                    let y = if squared { y.square() } else { y };
                    (y * v[0].tape().constant(&ct)).sum()
                });
                let report = gradcheck(f, &inputs, &CheckOptions::default());
                assert!(report.passed(), "{shape:?} affine {affine} squared {squared}:\n{report}");
            }
        }
    }
}

proptest! {
    #![proptest_config(Config { cases: 40, rng_seed: RngSeed::Fixed(0xBA7C), failure_persistence: None, ..Config::default() })]

    /// In training, each channel of the output has mean β and variance γ²·var/(var + ε)
    /// (var the channel's biased variance), over random shapes, values, γ, β and ε; the
    /// running statistics after one batch are 0.9·0 + 0.1·mean and 0.9·1 + 0.1·var·n/(n − 1).
    #[test]
    fn training_output_has_mean_beta_and_variance_gamma_squared(
        (shape, xs, gs, bs) in (2..=6usize, 1..=4usize, prop_oneof![Just(0usize), 1..=4usize]).prop_flat_map(|(n, c, l)| {
            let shape = if l == 0 { vec![n, c] } else { vec![n, c, l] };
            let len = n * c * l.max(1);
            (Just(shape), vec(-5.0..5.0f64, len), vec(0.25..3.0f64, c), vec(-2.0..2.0f64, c))
        }),
        eps in prop_oneof![Just(1e-5), 1e-4..0.1f64],
    ) {
        let c = shape[1];
        let l = shape.get(2).copied().unwrap_or(1);
        let n = shape[0] * l;
        let mut bn = BatchNorm1d::<f64>::new(c).eps(eps);
        bn.weight = Some(Tensor::new(&[c], gs.clone()).unwrap());
        bn.bias = Some(Tensor::new(&[c], bs.clone()).unwrap());
        let tape = Tape::<f64>::new();
        let y = bn.forward(&bn.bind(&tape), tape.constant(&Tensor::new(&shape, xs.clone()).unwrap())).unwrap().value();
        let channel = |data: &[f64], ch: usize| -> Vec<f64> {
            (0..shape[0]).flat_map(|i| data[(i * c + ch) * l..][..l].to_vec()).collect()
        };
        let (rm, rv) = (bn.running_mean().unwrap(), bn.running_var().unwrap());
        for ch in 0..c {
            let (xc, yc) = (channel(&xs, ch), channel(y.data(), ch));
            let mean = xc.iter().sum::<f64>() / n as f64;
            let var = xc.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            let got_mean = yc.iter().sum::<f64>() / n as f64;
            let got_var = yc.iter().map(|v| (v - got_mean).powi(2)).sum::<f64>() / n as f64;
            let want_var = gs[ch] * gs[ch] * var / (var + eps);
            prop_assert!((got_mean - bs[ch]).abs() < 1e-12, "channel {ch}: mean {got_mean} vs β {}", bs[ch]);
            prop_assert!((got_var - want_var).abs() < 1e-12 * want_var.max(1.0), "channel {ch}: variance {got_var} vs {want_var}");
            prop_assert!((rm.data()[ch] - 0.1 * mean).abs() < 1e-14, "running mean {}", rm.data()[ch]);
            let unbiased = var * n as f64 / (n - 1) as f64;
            prop_assert!((rv.data()[ch] - (0.9 + 0.1 * unbiased)).abs() < 1e-13 * (0.9 + 0.1 * unbiased), "running var {}", rv.data()[ch]);
        }
    }
}

/// A model of torch's `Sequential(Linear(2, 3), BatchNorm1d(3), ReLU(),
/// BatchNorm1d(3, affine=False), BatchNorm1d(3, track_running_stats=False))`.
fn model() -> Sequential<f64> {
    Sequential::new()
        .add(
            Linear::from_tensors(
                Tensor::from([[1.0, -0.5, 2.0], [0.25, 1.5, -1.0]]),
                Some(Tensor::from([0.1, 0.2, 0.3])),
            )
            .unwrap(),
        )
        .add(BatchNorm1d::new(3))
        .add(ReLU)
        .add(BatchNorm1d::new(3).without_affine())
        .add(BatchNorm1d::new(3).without_running_stats())
}

fn batch(step: usize) -> Tensor<f64> {
    input(&[5, 2], step)
}

#[test]
fn state_dict_lists_parameters_then_buffers_layer_by_layer() {
    let bn = BatchNorm1d::<f64>::new(4);
    let keys: Vec<String> = bn.state_dict().keys().cloned().collect();
    assert_eq!(keys, ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    let sd = bn.state_dict();
    assert_eq!(sd["running_mean"].data(), [0.0; 4]);
    assert_eq!(sd["running_var"].data(), [1.0; 4]);
    assert_eq!((sd["num_batches_tracked"].shape(), sd["num_batches_tracked"].data()), (&[][..], &[0.0][..]));

    // torch: list(Sequential(...).state_dict()) for the same layers.
    let m = model();
    let keys: Vec<String> = m.state_dict().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "0.weight",
            "0.bias",
            "1.weight",
            "1.bias",
            "1.running_mean",
            "1.running_var",
            "1.num_batches_tracked",
            "3.running_mean",
            "3.running_var",
            "3.num_batches_tracked",
            "4.weight",
            "4.bias",
        ]
    );
    // Buffers are not parameters: not named, counted, bound or trained.
    let params: Vec<String> = m.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(params, ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"]);
    assert_eq!((m.num_tensors(), m.num_params()), (6, 6 + 3 + 3 + 3 + 3 + 3));
    let buffers: Vec<String> = m.named_buffers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        buffers,
        [
            "1.running_mean",
            "1.running_var",
            "1.num_batches_tracked",
            "3.running_mean",
            "3.running_var",
            "3.num_batches_tracked"
        ]
    );
    let tape = Tape::<f64>::new();
    assert_eq!(m.bind(&tape).names(), params);
    // A Sequential inside a Sequential prefixes twice.
    let nested =
        Sequential::<f64>::new().add(ReLU).add(Sequential::new().add(BatchNorm1d::new(2).without_affine()));
    let keys: Vec<String> = nested.state_dict().keys().cloned().collect();
    assert_eq!(keys, ["1.0.running_mean", "1.0.running_var", "1.0.num_batches_tracked"]);
}

#[test]
fn training_steps_update_buffers_not_parameters_and_eval_uses_them() {
    let mut m = model();
    let mut opt = Sgd::new(0.1);
    let mut tape = Tape::<f64>::new();
    for step in 1..=3 {
        tape.reset();
        let p = m.bind(&tape);
        let y = m.forward(&p, tape.constant(&batch(step))).unwrap();
        let loss = (y * tape.constant(&cotangent(&[5, 3]))).sum();
        opt.step(&mut m, &p, &loss.backward()).unwrap();
    }
    let sd = m.state_dict();
    assert_eq!(sd["1.num_batches_tracked"].data(), [3.0]);
    assert_eq!(sd["3.num_batches_tracked"].data(), [3.0]);
    assert_ne!(sd["1.running_mean"].data(), [0.0; 3]);
    assert_ne!(sd["1.weight"].data(), [1.0; 3], "the optimizer trained γ");
    // Evaluation (passed on by Sequential): nothing is updated, and a batch of one works.
    m.set_training(false);
    let tape = Tape::<f64>::new();
    let p = m.bind(&tape);
    let one = Tensor::from([[0.5, -1.0]]);
    // The last layer has no running statistics: batch statistics even in evaluation, so a
    // batch of one is refused, as torch does.
    let err = m.forward(&p, tape.constant(&one)).unwrap_err().to_string();
    assert!(err.starts_with("Sequential: layer 4 (BatchNorm1d): Expected more than 1 value per channel when training, got input [1, 3]"), "{err}");
    assert_eq!(m.state_dict(), sd, "an error changes nothing");
    m.forward(&p, tape.constant(&batch(4))).unwrap();
    assert_eq!(m.state_dict(), sd, "evaluation changes nothing");
    // TapeParams::store copies the parameters back and keeps the buffers.
    let mut tape = Tape::<f64>::new();
    let tp = TapeParams::new(&m, &tape);
    let mark = tape.mark();
    m.set_training(true);
    let p = tp.bind(&tape).unwrap();
    let y = m.forward(&p, tape.constant(&batch(5))).unwrap();
    let g = (y * tape.constant(&cotangent(&[5, 3]))).sum().backward();
    tp.step(&mut tape, &mark, &g, &mut opt).unwrap();
    let trained = m.state_dict();
    assert_eq!(trained["1.num_batches_tracked"].data(), [4.0]);
    tp.store(&tape, &mut m).unwrap();
    let stored = m.state_dict();
    assert_eq!(stored["1.running_mean"], trained["1.running_mean"]);
    assert_ne!(stored["0.weight"], trained["0.weight"], "stored the stepped parameters");
}

#[test]
fn safetensors_round_trip_restores_buffers() {
    let mut m = model();
    let tape = Tape::<f64>::new();
    let p = m.bind(&tape);
    for step in 1..=2 {
        m.forward(&p, tape.constant(&batch(step))).unwrap();
    }
    let dir = std::env::temp_dir().join(format!("wengert_bn_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    m.save(&path).unwrap();
    let file = load_safetensors::<f64>(&path).unwrap();
    assert_eq!(file["1.num_batches_tracked"].shape(), [0usize; 0]);
    let mut fresh = model();
    fresh.load(&path).unwrap();
    assert_eq!(fresh.state_dict(), m.state_dict());
    // The same evaluation outputs.
    m.set_training(false);
    fresh.set_training(false);
    let out = |m: &Sequential<f64>| {
        let tape = Tape::<f64>::new();
        m.forward(&m.bind(&tape), tape.constant(&batch(7))).unwrap().value()
    };
    assert_eq!(out(&fresh), out(&m));
    // Through io::save_safetensors / load_state_dict on a bare BatchNorm1d.
    let bn = BatchNorm1d::<f64>::new(2).momentum(None);
    let tape = Tape::<f64>::new();
    bn.forward(&bn.bind(&tape), tape.constant(&input(&[4, 2, 3], 1))).unwrap();
    let path = dir.join("bn.safetensors");
    save_safetensors(&path, &bn.state_dict()).unwrap();
    let mut back = BatchNorm1d::<f64>::new(2);
    back.load_state_dict(&load_safetensors(&path).unwrap()).unwrap();
    assert_eq!(
        (back.running_mean(), back.running_var(), back.num_batches_tracked()),
        (bn.running_mean(), bn.running_var(), Some(1.0))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn loading_is_strict_and_atomic_for_buffers() {
    let mut bn = BatchNorm1d::<f64>::new(3);
    let tape = Tape::<f64>::new();
    bn.forward(&bn.bind(&tape), tape.constant(&input(&[4, 3], 1))).unwrap();
    let before = bn.state_dict();
    let mut good = before.clone();
    good["running_mean"] = Tensor::from([1.0, 2.0, 3.0]);
    good["weight"] = Tensor::from([4.0, 5.0, 6.0]);
    let cases: Vec<(StateDict<f64>, &str)> = vec![
        (
            {
                let mut d = good.clone();
                d.shift_remove("running_var");
                d
            },
            "load_state_dict: missing buffer 'running_var'",
        ),
        (
            {
                let mut d = good.clone();
                d.shift_remove("num_batches_tracked");
                d
            },
            "load_state_dict: missing buffer 'num_batches_tracked'",
        ),
        (
            {
                let mut d = good.clone();
                d["running_var"] = Tensor::from([1.0, 1.0]);
                d
            },
            "load_state_dict: buffer 'running_var' has shape [2], the model expects [3]",
        ),
        (
            {
                let mut d = good.clone();
                d["num_batches_tracked"] = Tensor::from([1.0]);
                d
            },
            "load_state_dict: buffer 'num_batches_tracked' has shape [1], the model expects []",
        ),
        (
            {
                let mut d = good.clone();
                d.insert("running_max".into(), Tensor::from([1.0]));
                d
            },
            "load_state_dict: unexpected parameter(s) [\"running_max\"]",
        ),
    ];
    for (dict, msg) in cases {
        assert_eq!(bn.load_state_dict(&dict).unwrap_err().to_string(), msg);
        assert_eq!(bn.state_dict(), before, "{msg}: nothing changed");
    }
    // A layer without running statistics has no buffers to load, and refuses them.
    let mut plain = BatchNorm1d::<f64>::new(3).without_running_stats();
    let err = plain.load_state_dict(&before).unwrap_err().to_string();
    assert!(err.starts_with("load_state_dict: unexpected parameter(s)"), "{err}");
    // Through safetensors bytes too, with the file's name in the error.
    let bytes = to_safetensors(&{
        let mut d = good.clone();
        d.shift_remove("running_mean");
        d
    })
    .unwrap();
    let dict = from_safetensors::<f64>(&bytes, "x.safetensors").unwrap();
    assert!(bn.load_state_dict(&dict).is_err());
    bn.load_state_dict(&good).unwrap();
    assert_eq!(bn.running_mean().unwrap().data(), [1.0, 2.0, 3.0]);
    assert_eq!(bn.weight.as_ref().unwrap().data(), [4.0, 5.0, 6.0]);
    assert_eq!(bn.num_batches_tracked(), Some(1.0));
}

fn error(bn: &BatchNorm1d<f64>, x: Tensor<f64>) -> String {
    let tape = Tape::<f64>::new();
    let p = bn.bind(&tape);
    let before = bn.state_dict();
    let n = tape.len();
    let e = bn.forward(&p, tape.var(&x)).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { op: "BatchNorm1d", .. }), "{e:?}");
    assert_eq!(bn.state_dict(), before, "an error changes nothing");
    assert_eq!(tape.len(), n + 1, "an error records nothing but the input");
    e.to_string()
}

#[test]
fn bad_input_is_an_error_naming_the_shapes() {
    let mut bn = BatchNorm1d::<f64>::new(3);
    assert_eq!(
        error(&bn, Tensor::zeros(&[4, 5])),
        "BatchNorm1d: input [4, 5] (v2) has 5 channels (dimension 1), the layer has 3"
    );
    assert_eq!(
        error(&bn, Tensor::zeros(&[3])),
        "BatchNorm1d: expected a 2-d [N, C] or 3-d [N, C, L] input, got 1-d input [3] (v2)"
    );
    assert_eq!(
        error(&bn, Tensor::zeros(&[2, 3, 4, 5])),
        "BatchNorm1d: expected a 2-d [N, C] or 3-d [N, C, L] input, got 4-d input [2, 3, 4, 5] (v2)"
    );
    assert_eq!(
        error(&bn, Tensor::zeros(&[1, 3])),
        "BatchNorm1d: Expected more than 1 value per channel when training, got input [1, 3] (v2): 1 value per channel"
    );
    assert_eq!(
        error(&bn, Tensor::zeros(&[1, 3, 1])),
        "BatchNorm1d: Expected more than 1 value per channel when training, got input [1, 3, 1] (v2): 1 value per channel"
    );
    assert_eq!(
        error(&bn, Tensor::zeros(&[0, 3])),
        "BatchNorm1d: Expected more than 1 value per channel when training, got input [0, 3] (v2): 0 values per channel"
    );
    // One example of several positions is enough (n = L), as in torch.
    let tape = Tape::<f64>::new();
    bn.forward(&bn.bind(&tape), tape.constant(&input(&[1, 3, 2], 1))).unwrap();
    // In evaluation a batch of one is fine.
    bn.set_training(false);
    let y = bn.forward(&bn.bind(&tape), tape.constant(&Tensor::from([[1.0, 2.0, 3.0]]))).unwrap();
    assert_eq!(y.shape()[..], [1, 3]);
    // Parameters bound from another layer, ε and momentum.
    let other = BatchNorm1d::<f64>::new(2);
    let err = bn.forward(&other.bind(&tape), tape.constant(&Tensor::zeros(&[2, 3]))).unwrap_err().to_string();
    assert!(err.starts_with("BatchNorm1d: bound weight [2] ("), "{err}");
    let plain = bn.clone().without_affine();
    let err = bn.forward(&plain.bind(&tape), tape.constant(&Tensor::zeros(&[2, 3]))).unwrap_err();
    assert_eq!(err.to_string(), "forward: 0 bound parameters given, the module has 2");
    let err = bn.forward_with(&[], tape.constant(&Tensor::zeros(&[2, 3]))).unwrap_err();
    assert_eq!(err.to_string(), "BatchNorm1d: 0 parameter variables given, the layer has 2");
    assert_eq!(
        error(&BatchNorm1d::new(3).eps(-1.0), Tensor::zeros(&[2, 3])),
        "BatchNorm1d: eps must be finite and ≥ 0, got -1"
    );
    assert_eq!(
        error(&BatchNorm1d::new(3).momentum(f64::NAN), Tensor::zeros(&[2, 3])),
        "BatchNorm1d: momentum must be finite, got NaN"
    );
    // A buffer assigned another shape through visit_buffers_mut.
    let mut bad = BatchNorm1d::<f64>::new(3);
    bad.visit_buffers_mut("", &mut |name, t| {
        if name == "running_var" {
            *t = Tensor::ones(&[4]);
        }
    });
    assert_eq!(
        error(&bad, Tensor::zeros(&[2, 3])),
        "BatchNorm1d: buffer running_var has shape [4], the layer's is [3]"
    );
    // Inside a Sequential, the layer's index in front.
    let seq = Sequential::<f64>::new().add(BatchNorm1d::new(2));
    let tape = Tape::<f64>::new();
    let err = seq.forward(&seq.bind(&tape), tape.constant(&Tensor::zeros(&[2, 3]))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Sequential: layer 0 (BatchNorm1d): input [2, 3] (v2) has 3 channels (dimension 1), the layer has 2"
    );
}

#[test]
fn f32_trains_and_evaluates() {
    let mut bn = BatchNorm1d::<f32>::new(2).momentum(0.5);
    let tape = Tape::<f32>::new();
    let x = Tensor::<f32>::from([[1.0, -2.0], [3.0, 2.0], [2.0, 0.0]]);
    let y = bn.forward(&bn.bind(&tape), tape.constant(&x)).unwrap().value();
    let d = y.data();
    assert!((d[0] + 1.2247357).abs() < 1e-5 && (d[2] - 1.2247357).abs() < 1e-5, "{d:?}");
    // mean [2, 0], unbiased var [1, 4]: 0.5·0 + 0.5·mean, 0.5·1 + 0.5·var.
    assert_eq!(bn.running_mean().unwrap().data(), [1.0, 0.0]);
    assert_eq!(bn.running_var().unwrap().data(), [1.0, 2.5]);
    bn.set_training(false);
    let y = bn.forward(&bn.bind(&tape), tape.constant(&x)).unwrap().value();
    assert!((y.data()[0] - 0.0).abs() < 1e-6 && (y.data()[1] + 2.0 / (2.5f32 + 1e-5).sqrt()).abs() < 1e-6);
    // Reset.
    bn.reset_running_stats();
    assert_eq!(
        (bn.running_mean().unwrap().data(), bn.num_batches_tracked()),
        (&[0.0f32, 0.0][..], Some(0.0))
    );
}
